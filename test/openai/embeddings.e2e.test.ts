import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import OpenAI from 'openai';
import { folderChecksum } from '../../src/lifecycle/infrastructure/model-files/index.js';
import { databaseBackends } from '../support/databases.js';
import { describeWithOnnxTestdata, loadOnnxTestCase } from '../support/onnx-testdata.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { writeTxt2EmbedFolder } from '../support/tiny-models.js';
import { maxAbsDiff } from '../workers/worker-test-helpers.js';
import { registerModel, startListeningApp } from '../oip/support/oip-app.js';

const TOKEN = 'embeddings-suite-token';
const EMBED = 'tiny/embed';
const OTHER_EMBED = 'tiny/embed-2';
const MATRYOSHKA = 'tiny/matryoshka';
const SHORT_LIMIT = 'tiny/four-tokens';
const TENSOR = 'onnx/relu';

/** The real `openai` npm client against our base URL, with MODELMORA_API_TOKEN set. */
describeWithOnnxTestdata().each(databaseBackends().slice(0, 1))('OpenAI-compatible embeddings (%s)', (backend) => {
  let storage: TestStorage;
  let app: INestApplication;
  let base: string;
  let client: OpenAI;

  /** What /api/v1/infer answers for the same texts: the reference the OpenAI view must match. */
  const reference = async (texts: string[]) => {
    const res = await fetch(`${base}/api/v1/infer/${encodeURIComponent(EMBED)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ inputs: texts }),
    });
    return ((await res.json()) as { outputs: { embeddings: number[][] } }).outputs.embeddings;
  };
  /** POST /api/v1/models with a config, as an operator registers a model with serving settings. */
  const registerWithConfig = async (modelId: string, dir: string, config: Record<string, unknown>) =>
    fetch(`${base}/api/v1/models`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ model_id: modelId, task_type: 'txt2embed', source_url: pathToFileURL(dir).href, checksum: await folderChecksum(dir), config }),
    });
  const refusal = async (call: Promise<unknown>) => {
    const err = await call.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    return err as InstanceType<typeof OpenAI.APIError>;
  };

  beforeAll(async () => {
    storage = await testStorage(backend);
    ({ app, baseUrl: base } = await startListeningApp(storage, { apiToken: TOKEN }));
    await registerModel(base, EMBED, 'txt2embed', writeTxt2EmbedFolder(join(storage.options.modelDir!, 'src-embed')), true, TOKEN);
    await registerModel(base, OTHER_EMBED, 'txt2embed', writeTxt2EmbedFolder(join(storage.options.modelDir!, 'src-embed-2'), { tokenTypeIds: false }), true, TOKEN);
    await registerModel(base, TENSOR, 'tensor', (await loadOnnxTestCase('node/test_relu')).modelPath, false, TOKEN);
    expect((await registerWithConfig(MATRYOSHKA, writeTxt2EmbedFolder(join(storage.options.modelDir!, 'src-matryoshka')), { matryoshka: true })).status).toBe(201);
    expect((await registerWithConfig(SHORT_LIMIT, writeTxt2EmbedFolder(join(storage.options.modelDir!, 'src-four')), { max_seq_length: 4 })).status).toBe(201);
    client = new OpenAI({ apiKey: TOKEN, baseURL: `${base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
  });

  it('embeds a single string; usage counts its tokens ([CLS] hello world [SEP])', async () => {
    const res = await client.embeddings.create({ model: EMBED, input: 'hello world' });
    expect(res).toMatchObject({ object: 'list', model: EMBED, usage: { prompt_tokens: 4, total_tokens: 4 } });
    expect(res.data).toHaveLength(1);
    expect(res.data[0]).toMatchObject({ object: 'embedding', index: 0 });
    expect(maxAbsDiff(res.data[0]!.embedding, (await reference(['hello world']))[0]!)).toBeLessThan(1e-6);
  });

  it('embeds a batch in order, with float encoding, and sums the tokens', async () => {
    const texts = ['hello world', 'the cat sat on the mat', 'dogs'];
    const res = await client.embeddings.create({ model: EMBED, input: texts, encoding_format: 'float' });
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    // 4 + (6 words + 2) + (dog ##s + 2) tokens.
    expect(res.usage).toEqual({ prompt_tokens: 16, total_tokens: 16 });
    const expected = await reference(texts);
    res.data.forEach((d, i) => expect(maxAbsDiff(d.embedding, expected[i]!)).toBeLessThan(1e-6));
  });

  it('answers base64 (float32 little-endian) when asked, decoded here', async () => {
    const res = await client.embeddings.create({ model: EMBED, input: ['the cat sat'], encoding_format: 'base64' });
    const encoded = res.data[0]!.embedding as unknown as string;
    expect(typeof encoded).toBe('string');
    const bytes = Buffer.from(encoded, 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(decoded).toHaveLength(3);
    expect(maxAbsDiff(decoded, (await reference(['the cat sat']))[0]!)).toBeLessThan(1e-6);
  });

  it('refuses dimensions for a model not registered as Matryoshka, even its own size (as OpenAI does for such models)', async () => {
    for (const dimensions of [2, 3]) {
      const err = await refusal(client.embeddings.create({ model: EMBED, input: 'dogs', dimensions }));
      expect([err.status, err.code, err.param]).toEqual([400, 'invalid_request', 'dimensions']);
      expect(err.message).toMatch(/config\.matryoshka: true/);
    }
  });

  it('shortens a Matryoshka model\'s vectors to dimensions and normalises the prefix again; more than it has is a 400', async () => {
    const full = (await client.embeddings.create({ model: MATRYOSHKA, input: 'the cat sat' })).data[0]!.embedding;
    const short = (await client.embeddings.create({ model: MATRYOSHKA, input: 'the cat sat', dimensions: 2 })).data[0]!.embedding;
    const norm = Math.hypot(full[0]!, full[1]!);
    expect(maxAbsDiff(short, [full[0]! / norm, full[1]! / norm])).toBeLessThan(1e-6);
    expect((await client.embeddings.create({ model: MATRYOSHKA, input: 'dogs', dimensions: 3 })).data[0]!.embedding).toHaveLength(3);
    const err = await refusal(client.embeddings.create({ model: MATRYOSHKA, input: 'dogs', dimensions: 4 }));
    expect([err.status, err.param]).toEqual([400, 'dimensions']);
    expect(err.message).toMatch(/3-dimensional/);
  });

  it('truncates a text over the model\'s limit by default, and with truncate: false refuses it with a 400 naming the limit', async () => {
    const cut = await client.embeddings.create({ model: SHORT_LIMIT, input: 'the cat sat on the mat' });
    expect(cut.usage.prompt_tokens).toBe(4);
    const err = await refusal(client.embeddings.create({ model: SHORT_LIMIT, input: ['hello', 'the cat sat on the mat'], truncate: false } as never));
    expect([err.status, err.code]).toEqual([400, 'invalid_input']);
    expect(err.message).toMatch(/input 1 has 8 tokens; this model takes at most 4/);
    const fits = await client.embeddings.create({ model: SHORT_LIMIT, input: 'hello', truncate: false } as never);
    expect(fits.usage.prompt_tokens).toBe(3);
    const bad = await refusal(client.embeddings.create({ model: SHORT_LIMIT, input: 'hello', truncate: 'no' } as never));
    expect([bad.status, bad.param]).toEqual([400, 'truncate']);
  });

  it('refuses a registration with a bad pooling or normalize value: 400 at registration, not a failed load later', async () => {
    const dir = writeTxt2EmbedFolder(join(storage.options.modelDir!, 'src-bad-config'));
    const res = await registerWithConfig('tiny/bad-pooling', dir, { pooling: 'average', normalize: 'yes' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error_code: string; message: string; details: { config_keys: string[] } };
    expect(body).toMatchObject({ error_code: 'VALIDATION_ERROR', details: { config_keys: ['pooling', 'normalize'] } });
    expect(body.message).toMatch(/config\.pooling must be one of cls, mean, max/);
    expect((await fetch(`${base}/api/v1/models/${encodeURIComponent('tiny/bad-pooling')}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('refuses an unknown model with 404 model_not_found', async () => {
    const err = await refusal(client.embeddings.create({ model: 'nobody/nothing', input: 'hi' }));
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect([err.code, err.type, err.param]).toEqual(['model_not_found', 'invalid_request_error', 'model']);
    expect(err.message).toMatch(/nobody\/nothing/);
  });

  it('refuses a model that is not txt2embed, saying why', async () => {
    const err = await refusal(client.embeddings.create({ model: TENSOR, input: 'hi' }));
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.code).toBe('model_not_supported');
    expect(err.message).toMatch(/onnx\/relu is a tensor model|'onnx\/relu' is a tensor model/);
  });

  it('refuses token-id input and an empty batch in OpenAI\'s error shape', async () => {
    const ids = await refusal(client.embeddings.create({ model: EMBED, input: [[1, 2, 3]] }));
    expect([ids.status, ids.param]).toEqual([400, 'input']);
    const empty = await refusal(client.embeddings.create({ model: EMBED, input: [] }));
    expect([empty.status, empty.param]).toEqual([400, 'input']);
  });

  it('lists the txt2embed models only', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) {
      expect(m).toMatchObject({ object: 'model', created: expect.any(Number), owned_by: 'tiny' });
      ids.push(m.id);
    }
    expect(ids.sort()).toEqual([EMBED, OTHER_EMBED, SHORT_LIMIT, MATRYOSHKA].sort());
  });

  it('wants the bearer token: 401 authentication error without it', async () => {
    const anonymous = new OpenAI({ apiKey: 'wrong', baseURL: `${base}/v1`, maxRetries: 0 });
    const err = await refusal(anonymous.embeddings.create({ model: EMBED, input: 'hi' }));
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.code).toBe('invalid_api_key');
  });

  it('guards OIP routes with the same token, but not OIP health', async () => {
    expect((await fetch(`${base}/v2/health/live`)).status).toBe(200);
    const denied = await fetch(`${base}/v2`);
    expect([denied.status, await denied.json()]).toEqual([401, { error: expect.stringMatching(/token/) }]);
    expect((await fetch(`${base}/v2`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });
});
