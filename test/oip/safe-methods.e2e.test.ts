import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { committedEvents } from '../support/committed-events.js';
import { databaseBackends } from '../support/databases.js';
import { eventually, isAlive } from '../support/server-process.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { writeMatMulModel } from '../support/tiny-models.js';
import { registerModel, startListeningApp } from './support/oip-app.js';

const backend = databaseBackends()[0]!;
const LOADED = 'safe/loaded';
const NEVER = 'safe/never-loaded';
const LAZY = 'safe/lazy';
const enc = encodeURIComponent;

/**
 * Issue 19 finding 6: GET /v2/models/{name} started a worker (evicting another model to make
 * room) for a model never loaded, and OIP's implicit load was sent as an explicit one, which
 * resets the crash-loop breaker. Safe methods answer from what is recorded; implicit loads
 * go through the serving port's one lazy-load door.
 */
describe(`OIP safe methods and the lazy-load door (${backend})`, () => {
  let storage: TestStorage;
  let app: INestApplication;
  let base: string;
  let models: string;
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const events = async (type: string, modelId: string) => (await committedEvents(app, type)).filter((e) => e.payload.model_id === modelId);
  const infer = { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 0, 0, 0] }] };

  beforeAll(async () => {
    storage = await testStorage(backend);
    models = mkdtempSync(join(tmpdir(), 'modelmora-safe-'));
    // One model at a time: a load of another evicts the loaded one. One crash makes a crash loop.
    ({ app, baseUrl: base } = await startListeningApp(storage, { maxModels: 1, crashLoopMaxCrashes: 1 }));
    for (const id of [LOADED, NEVER, LAZY]) await registerModel(base, id, 'tensor', writeMatMulModel(join(models, id.replace('/', '-'))));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
    rmSync(models, { recursive: true, force: true });
  });

  it('answers metadata and readiness of a model never loaded without starting or evicting a worker', async () => {
    const loaded = await fetch(`${base}/api/v1/models/${enc(LOADED)}/load`, { method: 'POST' });
    const { pid } = (await loaded.json()) as { pid: number };

    const metadata = await get(`/v2/models/${enc(NEVER)}`);
    expect(metadata.status).toBe(503);
    expect(Object.keys(metadata.body)).toEqual(['error']);
    expect(metadata.body.error).toMatch(/has not been loaded yet/);
    const ready = await get(`/v2/models/${enc(NEVER)}/ready`);
    expect([ready.status, ready.body.ready]).toEqual([503, false]);

    expect(await events('model.load.started', NEVER)).toEqual([]);
    expect(await events('model.unloaded', LOADED)).toEqual([]);
    expect(isAlive(pid)).toBe(true);
    // The loaded model's metadata comes from its recorded inputs and outputs.
    expect(await get(`/v2/models/${enc(LOADED)}`)).toMatchObject({ status: 200, body: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }] } });
  }, 60_000);

  it('loads a model for an OIP inference through the lazy-load door, not as an explicit load', async () => {
    expect((await post(`/v2/models/${enc(LAZY)}/infer`, infer)).status).toBe(200);
    expect((await events('model.load.started', LAZY)).map((e) => e.payload.trigger)).toEqual(['lazy']);
  }, 60_000);

  it('keeps a crash-looping model down for OIP inference and metadata; only an explicit load brings it back', async () => {
    const { pid } = (await (await fetch(`${base}/api/v1/models/${enc(LAZY)}/load`, { method: 'POST' })).json()) as { pid: number };
    const startsBefore = (await events('model.load.started', LAZY)).length;
    process.kill(pid, 'SIGKILL');
    await eventually(async () => (await events('model.unloaded', LAZY)).some((e) => e.payload.reason === 'crashed'), 'the crash on record');

    const refused = await post(`/v2/models/${enc(LAZY)}/infer`, infer);
    expect(refused.status).toBe(500);
    expect(refused.body.error).toMatch(/crashed 1 times within .* not loaded again automatically/);
    expect((await get(`/v2/models/${enc(LAZY)}`)).status).toBe(200); // what is recorded, no worker
    expect(await events('model.load.started', LAZY)).toHaveLength(startsBefore);

    expect((await fetch(`${base}/api/v1/models/${enc(LAZY)}/load`, { method: 'POST' })).status).toBe(200);
    expect((await post(`/v2/models/${enc(LAZY)}/infer`, infer)).status).toBe(200);
  }, 60_000);
});
