import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { databaseBackends } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { writeIdentityModel, writeMatMulModel, writeTransposeModel } from '../support/tiny-models.js';
import { registerModel, startListeningApp } from './support/oip-app.js';

const MATMUL = 'hostile/matmul'; // x[N, 4] → y[N, 2]
const TRANSPOSE = 'hostile/transpose'; // x[N, M] → y[M, N]: no fixed dim to check against
const STRINGS = 'hostile/strings'; // string x[N] → y[N]
const MIB = 1024 * 1024;

/**
 * Issue 19, findings 2, 7, 9 and 10, tried as an attacker would against the standard
 * protocols (and REST where the same hole was open): every one is a 4xx, or, for an output
 * over MODELMORA_MAX_OUTPUT_MB, 422 OUTPUT_TOO_LARGE, never a 500.
 */
describe.each(databaseBackends().slice(0, 1))('hostile requests on /v2, /v1 and /api/v1 (%s)', (backend) => {
  let storage: TestStorage;
  let app: INestApplication;
  let base: string;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: body === undefined ? {} : { 'content-type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as any };
  };
  const matmulInputs = (shape: number[], data: number[]) => ({ inputs: [{ name: 'x', shape, datatype: 'FP32', data }] });

  beforeAll(async () => {
    storage = await testStorage(backend);
    ({ app, baseUrl: base } = await startListeningApp(storage, { maxOutputMb: 1 }));
    const dir = storage.options.modelDir;
    await registerModel(base, MATMUL, 'tensor', writeMatMulModel(join(dir, 'src-matmul')));
    await registerModel(base, TRANSPOSE, 'tensor', writeTransposeModel(join(dir, 'src-transpose')));
    await registerModel(base, STRINGS, 'tensor', writeIdentityModel(join(dir, 'src-strings'), 'string', ['N']));
    for (const id of [MATMUL, TRANSPOSE, STRINGS]) expect((await call('POST', `/api/v1/models/${encodeURIComponent(id)}/load`, {})).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
  });

  it('refuses an output named twice in `outputs` with 400 (each copy would be encoded again)', async () => {
    const once = await call('POST', '/v2/models/hostile~matmul/infer', { ...matmulInputs([1, 4], [1, 2, 3, 4]), outputs: [{ name: 'y' }] });
    expect(once.status).toBe(200);
    const twice = await call('POST', '/v2/models/hostile~matmul/infer', { ...matmulInputs([1, 4], [1, 2, 3, 4]), outputs: [{ name: 'y' }, { name: 'y', parameters: { binary_data: true } }] });
    expect(twice).toEqual({ status: 400, body: { error: "output 'y' is requested twice" } });
  });

  it('counts BYTES outputs at their real length against MODELMORA_MAX_OUTPUT_MB, like any other datatype', async () => {
    const text = (bytes: number) => 'é'.repeat(bytes / 2); // two UTF-8 bytes per character
    const small = await call('POST', '/v2/models/hostile~strings/infer', { inputs: [{ name: 'x', shape: [1], datatype: 'BYTES', data: [text(MIB / 2)] }] });
    expect([small.status, small.body.outputs[0].data[0].length]).toEqual([200, MIB / 4]);

    const big = await call('POST', '/v2/models/hostile~strings/infer', { inputs: [{ name: 'x', shape: [2], datatype: 'BYTES', data: [text(MIB / 2), text(MIB / 2 + 2)] }] });
    expect(big.status).toBe(422);
    expect(big.body.error).toMatch(/the output is \d+ bytes, over the per-request limit of 1048576 bytes \(MODELMORA_MAX_OUTPUT_MB\)/);
    const rest = await call('POST', `/api/v1/infer/${encodeURIComponent(STRINGS)}`, { inputs: { x: { dims: [1], type: 'string', data: [text(MIB + 2)] } } });
    expect([rest.status, rest.body.error_code]).toEqual([422, 'OUTPUT_TOO_LARGE']);
  });

  it('refuses a model name holding a NUL with 400 on /v2 and /v1, before any query', async () => {
    for (const [method, path] of [['GET', '/v2/models/a%00b'], ['GET', '/v2/models/a%00b/ready'], ['GET', '/v2/models/hostile~matmul/versions/a%00b'], ['POST', '/v2/models/a%00b/infer']] as const) {
      const res = await call(method, path, method === 'POST' ? matmulInputs([1, 4], [1, 2, 3, 4]) : undefined);
      expect([path, res.status, Object.keys(res.body)]).toEqual([path, 400, ['error']]);
      expect(res.body.error).toContain('NUL');
    }
    const openai = await call('POST', '/v1/embeddings', { model: 'a\u0000b', input: 'hello' });
    expect(openai.status).toBe(400);
    expect(openai.body.error).toMatchObject({ param: 'model', message: expect.stringContaining('NUL') });
    expect((await call('GET', '/health/ready')).status).toBe(200);
  });

  it('refuses a zero-element tensor with a huge dimension before it is queued, on /v2 and on REST', async () => {
    const oip = await call('POST', '/v2/models/hostile~transpose/infer', { inputs: [{ name: 'x', shape: [0, 4294967297], datatype: 'FP32', data: [] }] });
    expect(oip.status).toBe(400);
    expect(oip.body.error).toMatch(/shape \[0, 4294967297\] describes more than 67108864 elements/);
    const rest = await call('POST', `/api/v1/infer/${encodeURIComponent(TRANSPOSE)}`, { inputs: { x: { dims: [0, 4294967297], data: [] } } });
    expect([rest.status, rest.body.error_code]).toEqual([400, 'INVALID_INPUT']);
    const packed = await call('POST', `/api/v1/infer/${encodeURIComponent(TRANSPOSE)}`, { inputs: { x: { dims: [4294967297, 0], type: 'float32', data_base64: '' } } });
    expect([packed.status, packed.body.error_code]).toEqual([400, 'INVALID_INPUT']);
    // An honest empty batch still runs.
    const empty = await call('POST', `/api/v1/infer/${encodeURIComponent(TRANSPOSE)}`, { inputs: { x: { dims: [0, 3], data: [] } } });
    expect([empty.status, empty.body.outputs?.y?.dims]).toEqual([200, [3, 0]]);
  });

  it("checks REST tensors against the loaded model's declared dims before queueing: no job for a misfit", async () => {
    const model = 'hostile/declared';
    await registerModel(base, model, 'tensor', writeMatMulModel(join(storage.options.modelDir, 'src-declared')));
    expect((await call('POST', `/api/v1/models/${encodeURIComponent(model)}/load`, {})).status).toBe(200);
    const refused = [];
    for (const x of [{ dims: [2, 0], data: [] }, { dims: [1, 5], data: [1, 2, 3, 4, 5] }, { dims: [4], data: [1, 2, 3, 4] }]) {
      refused.push(await call('POST', `/api/v1/infer/${encodeURIComponent(model)}`, { inputs: { x } }));
    }
    expect(refused.map((r) => [r.status, r.body.error_code])).toEqual(refused.map(() => [400, 'INVALID_INPUT']));
    const ok = await call('POST', `/api/v1/infer/${encodeURIComponent(model)}`, { inputs: { x: { dims: [1, 4], data: [1, 2, 3, 4] } } });
    expect(ok.status).toBe(200);
    // Jobs are recorded in order: once the good one is on record, a refused one would be too.
    const jobs = await eventually(async () => {
      const list = (await call('GET', `/api/v1/jobs?model_id=${encodeURIComponent(model)}`)).body.items as Array<{ job_id: string }>;
      return list.some((j) => j.job_id === ok.body.job_id) && list;
    }, 'the accepted job on record');
    expect(jobs.map((j) => j.job_id)).toEqual([ok.body.job_id]);
    for (const r of refused) expect(r.body.message).toContain("does not fit the model's [N, 4]");
  });
});
