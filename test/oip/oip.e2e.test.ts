import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { ValidateFunction } from 'ajv';
import { join } from 'node:path';
import { databaseBackends } from '../support/databases.js';
import { describeWithOnnxTestdata, loadOnnxTestCase, type OnnxTestCase } from '../support/onnx-testdata.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { writeTxt2EmbedFolder } from '../support/tiny-models.js';
import { maxAbsDiff } from '../workers/worker-test-helpers.js';
import { registerModel, startListeningApp } from './support/oip-app.js';
import { binaryRequest, decodeResponse, specValidators, tensorBytes, writeTypedIdentityModel, type BinaryInput } from './support/oip-fixtures.js';

const MATMUL = 'onnx/matmul-2d';
const TOPK = 'onnx/top-k';
const SPLIT = 'onnx/split-1d';
const RELU = 'onnx/relu';
const TYPED = 'tiny/typed';
const EMBED = 'tiny/embed';

/** tritonclient-style calls: fetch with a Buffer body, so no Content-Type header at all. */
describeWithOnnxTestdata().each(databaseBackends().slice(0, 1))('Open Inference Protocol over HTTP, real workers (%s)', (backend) => {
  let storage: TestStorage;
  let app: INestApplication;
  let base: string;
  let schema: ((name: string) => ValidateFunction) | undefined;
  const cases = new Map<string, OnnxTestCase>();

  const valid = (name: string, body: unknown) => {
    if (!schema) return; // no OIP_SPEC: skipped, and said so in the run's summary
    const validate = schema(name);
    if (!validate(body)) throw new Error(`${name}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
  };
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** POSTs raw bytes; decodes the answer at its Inference-Header-Content-Length, if any. */
  const post = async (path: string, body: Buffer, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', body, headers });
    const raw = Buffer.from(await res.arrayBuffer());
    const headerLength = res.headers.get('inference-header-content-length');
    if (res.status !== 200) return { status: res.status, headerLength, body: JSON.parse(raw.toString()) as Record<string, unknown>, decoded: undefined };
    const decoded = decodeResponse(raw, headerLength);
    valid(headerLength === null ? 'inference_response' : 'binary_inference_response', decoded.header);
    return { status: res.status, headerLength, body: decoded.header as Record<string, unknown>, decoded };
  };
  const postJson = (path: string, json: unknown) => post(path, Buffer.from(JSON.stringify(json)));
  const expectError = (res: { status: number; body: Record<string, unknown> }, status: number, pattern: RegExp) => {
    expect(res.status).toBe(status);
    valid('inference_error_response', res.body);
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(res.body.error).toMatch(pattern);
  };
  const tc = (name: string) => cases.get(name)!;
  /** Metadata answers from what is recorded (a safe method starts no worker): load first. */
  const load = async (modelId: string) => expect((await fetch(`${base}/api/v1/models/${encodeURIComponent(modelId)}/load`, { method: 'POST' })).status).toBe(200);

  beforeAll(async () => {
    schema = specValidators();
    storage = await testStorage(backend);
    ({ app, baseUrl: base } = await startListeningApp(storage));
    const models: Array<[string, string]> = [[MATMUL, 'node/test_matmul_2d'], [TOPK, 'node/test_top_k'], [SPLIT, 'node/test_split_equal_parts_1d'], [RELU, 'node/test_relu']];
    for (const [id, name] of models) {
      const c = await loadOnnxTestCase(name);
      cases.set(id, c);
      await registerModel(base, id, 'tensor', c.modelPath);
    }
    await registerModel(base, TYPED, 'tensor', writeTypedIdentityModel(join(storage.options.modelDir!, 'src-typed')));
    await registerModel(base, EMBED, 'txt2embed', writeTxt2EmbedFolder(join(storage.options.modelDir!, 'src-embed')), true);
  });
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
  });

  describe('server endpoints', () => {
    it('answers live and ready with the bodies KServe reads', async () => {
      expect(await get('/v2/health/live')).toEqual({ status: 200, body: { live: true } });
      expect(await get('/v2/health/ready')).toEqual({ status: 200, body: { ready: true } });
    });

    it('describes the server and the extensions it implements', async () => {
      const { status, body } = await get('/v2');
      expect(status).toBe(200);
      valid('metadata_server_response', body);
      expect(body).toEqual({ name: 'modelmora', version: expect.stringMatching(/^\d+\.\d+\.\d+/), extensions: ['binary_tensor_data', 'parameters'] });
    });
  });

  describe('model metadata and readiness', () => {
    it('gives the worker\'s real inputs and outputs under every form of the name, with and without a version', async () => {
      await load(MATMUL);
      const forms = ['onnx%2Fmatmul-2d', 'onnx/matmul-2d', 'onnx~matmul-2d', 'onnx%2Fmatmul-2d/versions/main', 'onnx/matmul-2d/versions/main', 'onnx~matmul-2d/versions/main'];
      for (const form of forms) {
        const { status, body } = await get(`/v2/models/${form}`);
        expect([form, status]).toEqual([form, 200]);
        valid('metadata_model_response', body);
        expect(body).toEqual({
          name: MATMUL, versions: ['main'], platform: 'onnxruntime_onnx',
          inputs: [{ name: 'a', datatype: 'FP32', shape: [3, 4] }, { name: 'b', datatype: 'FP32', shape: [4, 3] }],
          outputs: [{ name: 'c', datatype: 'FP32', shape: [3, 3] }],
        });
      }
    });

    it('shows dynamic dims as -1 and a txt2embed model as texts in, embeddings out', async () => {
      await load(TYPED);
      await load(EMBED);
      const typed = await get(`/v2/models/${encodeURIComponent(TYPED)}`);
      expect((typed.body.inputs as unknown[])).toContainEqual({ name: 'in_UINT64', datatype: 'UINT64', shape: [-1] });
      expect((typed.body.outputs as unknown[])).toContainEqual({ name: 'out_BYTES', datatype: 'BYTES', shape: [-1] });
      const embed = await get(`/v2/models/${encodeURIComponent(EMBED)}`);
      valid('metadata_model_response', embed.body);
      expect(embed.body).toMatchObject({ inputs: [{ name: 'text', datatype: 'BYTES', shape: [-1] }], outputs: [{ name: 'embeddings', datatype: 'FP32', shape: [-1, 3] }] });
    });

    it('says ready only once the model is loaded (503 with ready:false before)', async () => {
      const before = await get('/v2/models/onnx~relu/ready');
      expect(before.status).toBe(503);
      expect(before.body).toMatchObject({ name: RELU, ready: false });
      const run = await postJson('/v2/models/onnx~relu/infer', { inputs: [{ name: 'x', shape: [3, 4, 5], datatype: 'FP32', data: tc(RELU).inputs.x!.data }] });
      expect(run.status).toBe(200);
      expect(await get('/v2/models/onnx~relu/ready')).toEqual({ status: 200, body: { name: RELU, ready: true } });
      expect((await get('/v2/models/onnx/relu/versions/main/ready')).status).toBe(200);
    });

    it('answers 404 {error} for an unknown model or version', async () => {
      const unknown = await get('/v2/models/nobody%2Fnothing');
      expect(unknown.status).toBe(404);
      valid('metadata_model_error_response', unknown.body);
      expect(unknown.body.error).toMatch(/nobody\/nothing/);
      const version = await get('/v2/models/onnx~matmul-2d/versions/v9');
      expect([version.status, version.body.error]).toEqual([404, expect.stringMatching(/no version 'v9'/)]);
    });
  });

  describe('inference', () => {
    const matmulInputs = (nested: boolean) => {
      const { a, b } = tc(MATMUL).inputs;
      const rows = (data: unknown[], width: number) => Array.from({ length: data.length / width }, (_, r) => data.slice(r * width, (r + 1) * width));
      return [
        { name: 'a', shape: [3, 4], datatype: 'FP32', data: nested ? rows(a!.data, 4) : a!.data },
        { name: 'b', shape: [4, 3], datatype: 'FP32', data: nested ? rows(b!.data, 3) : b!.data },
      ];
    };

    it('runs a JSON request with no Content-Type and echoes its id (flat data)', async () => {
      const res = await postJson(`/v2/models/${encodeURIComponent(MATMUL)}/infer`, { id: 'req-42', inputs: matmulInputs(false) });
      expect(res.status).toBe(200);
      expect(res.headerLength).toBeNull();
      expect(res.body).toMatchObject({ model_name: MATMUL, model_version: 'main', id: 'req-42', outputs: [{ name: 'c', datatype: 'FP32', shape: [3, 3] }] });
      expect(maxAbsDiff(res.decoded!.values.c!, tc(MATMUL).outputs.c!.data)).toBeLessThan(1e-4);
    });

    it('reads the same request sent as application/json (parsed by the app\'s JSON parser first)', async () => {
      const res = await post('/v2/models/onnx~matmul-2d/infer', Buffer.from(JSON.stringify({ id: 'typed', inputs: matmulInputs(false) })), { 'content-type': 'application/json' });
      expect([res.status, res.body.id]).toEqual([200, 'typed']);
      expect(maxAbsDiff(res.decoded!.values.c!, tc(MATMUL).outputs.c!.data)).toBeLessThan(1e-4);
    });

    it('takes nested data in row-major order just like flat data', async () => {
      const flat = await postJson('/v2/models/onnx/matmul-2d/infer', { inputs: matmulInputs(false) });
      const nested = await postJson('/v2/models/onnx/matmul-2d/infer', { inputs: matmulInputs(true) });
      expect(nested.status).toBe(200);
      expect(nested.decoded!.values.c).toEqual(flat.decoded!.values.c);
    });

    it('reads binary inputs and answers binary outputs (tritonclient\'s defaults)', async () => {
      const { x, k } = tc(TOPK).inputs;
      const { body, headerLength } = binaryRequest({ id: 'bin-1', parameters: { binary_data_output: true } }, [
        { name: 'x', shape: [3, 4], datatype: 'FP32', values: x!.data },
        { name: 'k', shape: [1], datatype: 'INT64', values: k!.data },
      ]);
      const res = await post('/v2/models/onnx~top-k/infer', body, { 'Inference-Header-Content-Length': String(headerLength) });
      expect(res.status).toBe(200);
      expect(Number(res.headerLength)).toBeGreaterThan(0);
      expect(res.body).toMatchObject({
        id: 'bin-1',
        outputs: [
          { name: 'values', datatype: 'FP32', shape: [3, 3], parameters: { binary_data_size: 36 } },
          { name: 'indices', datatype: 'INT64', shape: [3, 3], parameters: { binary_data_size: 72 } },
        ],
      });
      expect(maxAbsDiff(res.decoded!.values.values!, tc(TOPK).outputs.values!.data)).toBeLessThan(1e-5);
      expect(res.decoded!.values.indices).toEqual(tc(TOPK).outputs.indices!.data);
    });

    it('returns only the requested outputs, each as JSON or binary as asked', async () => {
      const input = tc(SPLIT).inputs.input!;
      const one = await postJson('/v2/models/onnx~split-1d/infer', { inputs: [{ name: 'input', shape: [6], datatype: 'FP32', data: input.data }], outputs: [{ name: 'output_2' }] });
      expect(one.body.outputs).toEqual([{ name: 'output_2', datatype: 'FP32', shape: [2], data: tc(SPLIT).outputs.output_2!.data }]);

      const { x, k } = tc(TOPK).inputs;
      const mixed = await postJson('/v2/models/onnx~top-k/infer', {
        inputs: [{ name: 'x', shape: [3, 4], datatype: 'FP32', data: x!.data }, { name: 'k', shape: [1], datatype: 'INT64', data: k!.data }],
        outputs: [{ name: 'indices', parameters: { binary_data: true } }, { name: 'values', parameters: { binary_data: false } }],
      });
      expect(mixed.body.outputs).toEqual([
        { name: 'indices', datatype: 'INT64', shape: [3, 3], parameters: { binary_data_size: 72 } },
        { name: 'values', datatype: 'FP32', shape: [3, 3], data: expect.any(Array) },
      ]);
      expect(mixed.decoded!.values.indices).toEqual(tc(TOPK).outputs.indices!.data);
    });

    it('round-trips every datatype through a real worker, binary and JSON', async () => {
      const samples: Record<string, Array<number | boolean | string>> = {
        BOOL: [true, false, true], UINT8: [0, 7, 255], INT8: [-128, 0, 127], UINT16: [0, 513, 65535], INT16: [-32768, -1, 32767],
        UINT32: [0, 70000, 4294967295], INT32: [-2147483648, 5, 2147483647], UINT64: [0, 2 ** 40, 2 ** 53 - 1], INT64: [-(2 ** 53 - 1), -3, 2 ** 50],
        FP16: [0x3c00, 0xc000, 0x3555], FP32: [1.5, -2.25, 3e-8], FP64: [Math.PI, -1e300, 5e-324], BYTES: ['héllo', '', 'wörld ✓'],
      };
      const inputs: BinaryInput[] = Object.entries(samples).map(([dt, values]) => ({ name: `in_${dt}`, shape: [3], datatype: dt, values }));
      const { body, headerLength } = binaryRequest({ parameters: { binary_data_output: true } }, inputs);
      const bin = await post('/v2/models/tiny~typed/infer', body, { 'Inference-Header-Content-Length': String(headerLength) });
      expect(bin.status).toBe(200);
      for (const [dt, values] of Object.entries(samples)) {
        expect([dt, bin.body.outputs]).toEqual([dt, expect.arrayContaining([expect.objectContaining({ name: `out_${dt}`, datatype: dt, shape: [3] })])]);
        const got = bin.decoded!.values[`out_${dt}`]!;
        if (dt === 'FP32') expect(got.map((v, i) => Math.abs(Number(v) - Number(values[i])) <= Math.abs(Number(values[i])) * 1e-7)).toEqual([true, true, true]);
        else expect([dt, got]).toEqual([dt, values]);
      }

      // JSON data for all but FP16, which only travels binary: one request mixes both.
      const jsonInputs = inputs.filter((i) => i.datatype !== 'FP16').map((i) => ({ name: i.name, shape: i.shape, datatype: i.datatype, data: i.values }));
      const fp16 = tensorBytes('FP16', samples.FP16!);
      const head = Buffer.from(JSON.stringify({
        inputs: [...jsonInputs, { name: 'in_FP16', shape: [3], datatype: 'FP16', parameters: { binary_data_size: fp16.length } }],
        outputs: jsonInputs.map((i) => ({ name: i.name.replace('in_', 'out_') })),
      }));
      const json = await post('/v2/models/tiny~typed/infer', Buffer.concat([head, fp16]), { 'Inference-Header-Content-Length': String(head.length) });
      expect(json.status).toBe(200);
      expect(json.headerLength).toBeNull();
      for (const i of jsonInputs.filter((x) => x.datatype !== 'FP32')) expect([i.datatype, json.decoded!.values[i.name.replace('in_', 'out_')]]).toEqual([i.datatype, i.data]);
    });

    it('feeds BYTES texts to a txt2embed model, JSON and binary alike, through the same pipeline as /api/v1', async () => {
      const texts = ['hello world', 'the cat sat on the mat'];
      const json = await postJson(`/v2/models/${encodeURIComponent(EMBED)}/infer`, { inputs: [{ name: 'text', shape: [2], datatype: 'BYTES', data: texts }] });
      expect(json.status).toBe(200);
      expect(json.body.outputs).toEqual([{ name: 'embeddings', datatype: 'FP32', shape: [2, 3], data: expect.any(Array) }]);
      const { body, headerLength } = binaryRequest({ parameters: { binary_data_output: true } }, [{ name: 'text', shape: [2], datatype: 'BYTES', values: texts }]);
      const bin = await post('/v2/models/tiny~embed/infer', body, { 'Inference-Header-Content-Length': String(headerLength) });
      const rest = await fetch(`${base}/api/v1/infer/${encodeURIComponent(EMBED)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: texts }) });
      const expected = ((await rest.json()) as { outputs: { embeddings: number[][] } }).outputs.embeddings.flat();
      expect(maxAbsDiff(json.decoded!.values.embeddings!, expected)).toBeLessThan(1e-6);
      expect(maxAbsDiff(bin.decoded!.values.embeddings!, expected)).toBeLessThan(1e-6);
    });

    it('is a job of our queue: priority and timeout parameters land on it, and it is recorded', async () => {
      const res = await postJson('/v2/models/onnx~matmul-2d/infer', { parameters: { priority: 1, timeout: 7_000_000 }, inputs: matmulInputs(false) });
      const jobId = (res.body.parameters as { job_id: string }).job_id;
      const job = await get(`/api/v1/jobs/${jobId}`);
      expect(job.body).toMatchObject({ job_id: jobId, model_id: MATMUL, status: 'completed', priority: 'critical', timeout_ms: 7000 });
    });
  });

  describe('bad requests', () => {
    const url = '/v2/models/onnx~matmul-2d/infer';

    it('404 {error} for an unknown model', async () => {
      expectError(await postJson('/v2/models/nobody~nothing/infer', { inputs: [{ name: 'a', shape: [1], datatype: 'FP32', data: [1] }] }), 404, /nobody\/nothing/);
    });

    it('400 {error} for a wrong datatype, shape, element count, name or output', async () => {
      const { a, b } = tc(MATMUL).inputs;
      const ok = { name: 'b', shape: [4, 3], datatype: 'FP32', data: b!.data };
      expectError(await postJson(url, { inputs: [{ name: 'a', shape: [3, 4], datatype: 'INT32', data: a!.data.map(() => 1) }, ok] }), 400, /takes FP32, got INT32/);
      expectError(await postJson(url, { inputs: [{ name: 'a', shape: [4, 3], datatype: 'FP32', data: a!.data }, ok] }), 400, /shape \[4, 3\] does not fit/);
      expectError(await postJson(url, { inputs: [{ name: 'a', shape: [3, 4], datatype: 'FP32', data: [1, 2] }, ok] }), 400, /needs 12 elements, data has 2/);
      expectError(await postJson(url, { inputs: [{ name: 'z', shape: [3, 4], datatype: 'FP32', data: a!.data }, ok] }), 400, /unknown input 'z'/);
      expectError(await postJson(url, { inputs: [{ name: 'a', shape: [3, 4], datatype: 'FP32', data: a!.data }, ok], outputs: [{ name: 'nope' }] }), 400, /unknown output 'nope'/);
      expectError(await postJson(url, { inputs: [{ name: 'a', shape: [3, 4], datatype: 'BF16', data: a!.data }, ok] }), 400, /BF16.*not supported/);
      expectError(await postJson('/v2/models/tiny~typed/infer', { inputs: [{ name: 'in_FP16', shape: [1], datatype: 'FP16', data: [1] }] }), 400, /FP16 travels as binary data only/);
    });

    it('404 {error} for OIP routes ModelMora does not serve (repository, model config)', async () => {
      expectError(await postJson('/v2/repository/index', {}), 404, /POST \/v2\/repository\/index is not an OIP endpoint/);
      const config = await get('/v2/models/onnx~matmul-2d/config');
      expect([config.status, Object.keys(config.body)]).toEqual([404, ['error']]);
    });

    it('400 {error} for malformed bodies and binary sizes that do not add up', async () => {
      expectError(await post(url, Buffer.from('{"inputs": [')), 400, /not JSON/);
      expectError(await post(url, Buffer.alloc(0)), 400, /empty/);
      const { body, headerLength } = binaryRequest({}, [{ name: 'a', shape: [3, 4], datatype: 'FP32', values: tc(MATMUL).inputs.a!.data }]);
      expectError(await post(url, body.subarray(0, body.length - 4), { 'Inference-Header-Content-Length': String(headerLength) }), 400, /runs past/);
      expectError(await post(url, body, { 'Inference-Header-Content-Length': String(body.length + 1) }), 400, /Inference-Header-Content-Length/);
    });
  });
});
