import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import request from 'supertest';
import { createServer } from '../../src/bootstrap.js';
import { readyForRequests, testHttpAdapter } from '../support/http-adapter.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { eventually } from '../support/eventually.js';
import { writeMatMulModel } from '../support/tiny-models.js';

/** Captures stdout as lines: the server's logger writes a turn's lines in one write. */
function captureLines(): string[] {
  const lines: string[] = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  return lines;
}

const auditRecords = (lines: string[]) =>
  lines.filter((l) => l.includes('"context":"Audit"')).map((l) => JSON.parse(l).message as { event_type: string; payload: Record<string, unknown> });

/** Seed §9 audit handler: each committed event is one JSON line on the server's log. */
describe('audit log', () => {
  let storage: TestStorage;
  let app: INestApplication;
  let lines: string[] = [];

  beforeAll(async () => {
    storage = await testStorage('pglite');
    app = await createServer(storage.options, 'log', testHttpAdapter());
    await readyForRequests(await app.init());
    lines = captureLines();
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await app?.close();
    await storage?.cleanup();
  });

  it('writes one structured JSON line per event with its type, id, aggregate and payload', async () => {
    const res = await request(app.getHttpServer()).post('/api/v1/models').send({ model_id: 'audit/model', task_type: 'tensor' });
    expect(res.status).toBe(201);
    const event = await eventually(async () => (await request(app.getHttpServer()).get('/api/v1/events?event_type=model.registered')).body.items[0], 'the registration to settle');
    const line = await eventually(() => lines.find((l) => l.includes(event.event_id)), 'the audit line');
    const record = JSON.parse(line);
    expect(record).toMatchObject({ level: 'log', context: 'Audit' });
    expect(record.message).toEqual({
      msg: 'Event: model.registered',
      event_type: 'model.registered',
      event_id: event.event_id,
      aggregate_id: event.aggregate_id,
      aggregate_type: 'model_catalog',
      payload: event.payload,
    });
  });
});

describe('audit log at shutdown', () => {
  let storage: TestStorage;
  afterAll(async () => {
    jest.restoreAllMocks();
    await storage?.cleanup();
  });

  it('logs the unloads of a shutdown too: they happen before the EventBus stops', async () => {
    storage = await testStorage('pglite');
    const source = pathToFileURL(writeMatMulModel(join(storage.options.dataDir, '..', 'audit-matmul'))).href;
    const app = await createServer(storage.options, 'log', testHttpAdapter());
    await readyForRequests(await app.init());
    const lines = captureLines();
    const http = () => request(app.getHttpServer());
    expect((await http().post('/api/v1/models').send({ model_id: 'audit/matmul', task_type: 'tensor', source_url: source })).status).toBe(201);
    expect((await http().post('/api/v1/models/audit%2Fmatmul/load')).status).toBe(200);
    await eventually(() => auditRecords(lines).some((r) => r.event_type === 'model.loaded'), 'the load on the audit log');

    await app.close();
    await new Promise((r) => setImmediate(r));
    expect(auditRecords(lines).filter((r) => r.event_type === 'model.unloaded').map((r) => r.payload.reason)).toEqual(['shutdown']);
  }, 120_000);
});
