import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import request from 'supertest';
import { fileChecksum } from '../../src/lifecycle/infrastructure/model-files/index.js';
import { databaseBackends } from '../support/databases.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';

const enc = encodeURIComponent;
const backend = databaseBackends()[0]!;
/** Outside every allowed root of the test storage (the OS temp folder and the repository). */
const OUTSIDE = '/etc/passwd';
const NOT_ALLOWED = /^model source .+ is not allowed or not found \(local sources must lie under MODELMORA_SOURCE_ROOTS\)$/;

/**
 * Issue 19, findings 12 and 14: a caller's mistake about a model's source is a 4xx with a
 * code of its own, refused as early as it can be known; the server's own failures quote no
 * internal path.
 */
describe(`caller mistakes about model sources (${backend})`, () => {
  let storage: TestStorage;
  let app: INestApplication;
  let dir: string;
  const http = () => request(app.getHttpServer());
  const register = (model_id: string, source_url?: string, checksum?: string) =>
    http().post('/api/v1/models').send({ model_id, task_type: 'tensor', ...(source_url ? { source_url } : {}), ...(checksum ? { checksum } : {}) });
  const load = (modelId: string, version?: string) => http().post(`/api/v1/models/${enc(modelId)}/load`).send(version ? { version } : {});
  const recorded = async (modelId: string) => {
    const events = (await http().get('/api/v1/events?limit=1000')).body.items as Array<{ event_type: string; payload: Record<string, unknown> }>;
    return events.filter((e) => e.payload.model_id === modelId);
  };

  beforeAll(async () => {
    storage = await testStorage(backend);
    dir = mkdtempSync(join(tmpdir(), 'modelmora-caller-mistakes-'));
    app = await startTestApp(storage, { allowPrivateSources: true });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a file:// source outside MODELMORA_SOURCE_ROOTS at registration, for a model and for a version: 422 SOURCE_NOT_ALLOWED, nothing recorded', async () => {
    for (const source of [pathToFileURL(OUTSIDE).href, OUTSIDE, `file://${dir}/../../etc/passwd`]) {
      const res = await register('mistakes/outside', source);
      expect([res.status, res.body.error_code]).toEqual([422, 'SOURCE_NOT_ALLOWED']);
      expect(res.body.message).toMatch(NOT_ALLOWED);
    }
    expect(await recorded('mistakes/outside')).toEqual([]);

    expect((await register('mistakes/versioned')).status).toBe(201);
    const version = await http().post(`/api/v1/models/${enc('mistakes/versioned')}/versions`).send({ version: 'v2', source_url: pathToFileURL(OUTSIDE).href });
    expect([version.status, version.body.error_code]).toEqual([422, 'SOURCE_NOT_ALLOWED']);
    expect((await recorded('mistakes/versioned')).map((e) => e.event_type)).toEqual(['model.registered']);
  });

  it('refuses at load, with one answer, a source that leads out of the roots and one that is not there', async () => {
    const link = join(dir, 'link.onnx');
    symlinkSync(OUTSIDE, link); // inside the roots as written, outside once followed
    expect((await register('mistakes/symlink', pathToFileURL(link).href)).status).toBe(201);
    expect((await register('mistakes/missing', pathToFileURL(join(dir, 'missing.onnx')).href)).status).toBe(201);

    const answers = [await load('mistakes/symlink'), await load('mistakes/missing')];
    for (const res of answers) {
      expect([res.status, res.body.error_code]).toEqual([422, 'SOURCE_NOT_ALLOWED']);
      expect(res.body.message).toMatch(NOT_ALLOWED);
    }
    // The same words either way: only the path the caller gave differs.
    expect(answers[0]!.body.message.replace(link, '<source>')).toBe(answers[1]!.body.message.replace(join(dir, 'missing.onnx'), '<source>'));
    const model = (await http().get(`/api/v1/models/${enc('mistakes/symlink')}`)).body;
    expect(model.lifecycle).toMatchObject({ state: 'failed', last_error: answers[0]!.body.message });
  });

  it('answers a load of a version registered without a source with 422 SOURCE_REQUIRED, and a job that needs it likewise', async () => {
    expect((await register('mistakes/no-source')).status).toBe(201);
    const res = await load('mistakes/no-source');
    expect([res.status, res.body.error_code]).toEqual([422, 'SOURCE_REQUIRED']);
    expect(res.body.message).toContain('has no source_url');
    const job = await http().post(`/api/v1/infer/${enc('mistakes/no-source')}`).send({ inputs: { x: { dims: [1], data: [1] } } });
    expect([job.status, job.body.error_code]).toEqual([422, 'SOURCE_REQUIRED']);
  });

  it("quotes no path of the model cache when the server's own load fails (LOAD_FAILED), in the answer or on record", async () => {
    const garbage = join(dir, 'garbage');
    mkdirSync(garbage);
    writeFileSync(join(garbage, 'model.onnx'), 'this is not an ONNX model');
    const path = join(garbage, 'model.onnx');
    expect((await register('mistakes/garbage', pathToFileURL(path).href, await fileChecksum(path))).status).toBe(201);

    const res = await load('mistakes/garbage');
    expect([res.status, res.body.error_code]).toEqual([500, 'LOAD_FAILED']);
    const cache = resolve(storage.options.modelDir);
    expect(res.body.message).toContain('$MODELMORA_MODEL_DIR/mistakes/garbage/main/model.onnx');
    const model = (await http().get(`/api/v1/models/${enc('mistakes/garbage')}`)).body;
    for (const text of [res.body.message, model.lifecycle.last_error, JSON.stringify(await recorded('mistakes/garbage'))]) {
      expect(text).not.toContain(cache);
      expect(text).not.toContain(storage.options.modelDir);
    }
  });

  it('answers a load whose http(s) source answers 404 with 422 SOURCE_NOT_FOUND, not a 500 LOAD_FAILED', async () => {
    const files: Server = createServer((_req, res) => res.writeHead(404).end('no such file'));
    await new Promise<void>((done) => files.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/models/missing.onnx`;
      expect((await register('mistakes/http-404', url)).status).toBe(201);
      const res = await load('mistakes/http-404');
      expect([res.status, res.body.error_code]).toEqual([422, 'SOURCE_NOT_FOUND']);
      expect(res.body.message).toContain('/models/missing.onnx answered HTTP 404');
    } finally {
      files.close();
    }
  });
});
