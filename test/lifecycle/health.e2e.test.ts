import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import request from 'supertest';
import { fileChecksum } from '../../src/lifecycle/infrastructure/model-files/index.js';
import { databaseBackends } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { describeWithOnnxTestdata, loadOnnxTestCase } from '../support/onnx-testdata.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';

const enc = encodeURIComponent;
const backend = databaseBackends()[0]!;

/** A worker that stops answering pings turns unhealthy (alerting), and recovers when it answers again. */
describeWithOnnxTestdata()(`model health checks (${backend})`, () => {
  let storage: TestStorage;
  let app: INestApplication;
  let webhook: Server;
  const alerts: Array<{ text: string; event: { payload: Record<string, unknown> } }> = [];
  const http = () => request(app.getHttpServer());
  const healthEvents = async () =>
    (await http().get('/api/v1/events?event_type=model.health.changed&limit=1000')).body.items as Array<{ payload: Record<string, any> }>;

  beforeAll(async () => {
    webhook = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        alerts.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    storage = await testStorage(backend);
    app = await startTestApp(storage, {
      healthCheckIntervalMs: 150, healthCheckTimeoutMs: 150, healthCheckMaxMisses: 2,
      alertWebhook: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`,
      reloadMaxAttempts: 0, // this suite watches recovery, not replacement
    });
    const tc = await loadOnnxTestCase('node/test_matmul_2d');
    await http().post('/api/v1/models').send({ model_id: 'health/matmul', task_type: 'tensor', source_url: pathToFileURL(tc.modelPath).href, checksum: await fileChecksum(tc.modelPath) });
  });
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
    await new Promise((r) => webhook?.close(r));
  });

  it('marks a silent worker unhealthy, alerts, stops routing to it, and records its recovery', async () => {
    const loaded = await http().post(`/api/v1/models/${enc('health/matmul')}/load`).send({});
    expect(loaded.status).toBe(200);
    const pid = loaded.body.pid as number;

    process.kill(pid, 'SIGSTOP'); // alive but silent
    try {
      const unhealthy = await eventually(async () => (await healthEvents()).find((e) => e.payload.new_state === 'unhealthy'), 'unhealthy event', 15_000);
      expect(unhealthy.payload).toEqual({ model_id: 'health/matmul', previous_state: 'loaded', new_state: 'unhealthy', error_message: 'Health check timeout' });
      const refused = await http().post(`/api/v1/infer/${enc('health/matmul')}`).send({
        inputs: { a: { dims: [3, 4], data: Array(12).fill(1) }, b: { dims: [4, 3], data: Array(12).fill(1) } },
        timeout_ms: 2_000,
      });
      expect(refused.status).toBeGreaterThanOrEqual(500);
      expect((await http().get('/health/models')).status).toBe(503);
      const alert = await eventually(() => alerts.find((a) => a.event.payload.new_state === 'unhealthy'), 'webhook alert', 10_000);
      expect(alert.text).toContain('health/matmul');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const recovered = await eventually(async () => (await healthEvents()).find((e) => e.payload.previous_state === 'unhealthy' && e.payload.new_state === 'loaded'), 'recovery event', 15_000);
    expect(recovered.payload.error_message).toBeNull();
    expect((await http().get('/health/models')).status).toBe(200);
  });
});
