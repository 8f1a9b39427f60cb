import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { databaseBackends } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { writeTxt2EmbedFolder } from '../support/tiny-models.js';
import { maxAbsDiff } from '../workers/worker-test-helpers.js';
import { registerModel, startListeningApp } from '../oip/support/oip-app.js';

const MODEL = 'tiny/merged';
const REFERENCE = 'tiny/reference';

/** Serves a model folder over HTTP, holding every response until `release()`: the model's load waits while requests queue. */
async function gatedFolderServer(root: string): Promise<{ url: string; release: () => void; close: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server: Server = createServer((req, res) => {
    void released.then(() => {
      const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/model\//, '');
      const stream = createReadStream(join(root, rel));
      stream.once('error', () => res.writeHead(404).end());
      stream.once('open', () => stream.pipe(res));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/model/`,
    release,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Two words each, four tokens with [CLS] and [SEP]: one length, so the least-padding plan is a single run.
const TEXTS = ['hello world', 'the cat', 'a dog', 'cat sat', 'the mat', 'on mat', 'a cat', 'world hello', 'dog sat'];

describe.each(databaseBackends().slice(0, 1))('dynamic batching across HTTP requests (%s)', (backend) => {
  let storage: TestStorage;
  let app: INestApplication;
  let base: string;
  let gate: Awaited<ReturnType<typeof gatedFolderServer>>;

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 200 && res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const metric = async (name: string, modelId?: string) => {
    const text = await (await fetch(`${base}/api/v1/metrics`)).text();
    const lines = text.split('\n').filter((l) => l.startsWith(name) && (!modelId || l.includes(`model_id="${modelId}"`)));
    return lines.reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
  };

  beforeAll(async () => {
    storage = await testStorage(backend);
    ({ app, baseUrl: base } = await startListeningApp(storage));
    const folder = writeTxt2EmbedFolder(join(storage.options.modelDir!, 'src-merged'));
    gate = await gatedFolderServer(folder);
    await registerModel(base, REFERENCE, 'txt2embed', folder, true);
    // Loaded once from a local folder, so every surface knows its inputs (OIP checks requests against them); then
    // unloaded, with a new version whose files come through the gate: the next load waits while requests queue.
    await registerModel(base, MODEL, 'txt2embed', folder, true);
    await post(`/api/v1/models/${encodeURIComponent(MODEL)}/load`, {});
    await post(`/api/v1/models/${encodeURIComponent(MODEL)}/unload`, {});
    await post(`/api/v1/models/${encodeURIComponent(MODEL)}/versions`, { version: 'gated', source_url: gate.url });
  });
  afterAll(async () => {
    gate?.release();
    await app?.close();
    await gate?.close();
    await storage?.cleanup();
  });

  it('merges concurrent /v1/embeddings, /v2 and /api/v1 requests for one model into one ONNX run, and splits the answers back', async () => {
    // Nine callers on three surfaces, while the model is still loading (its files are held back).
    const calls = TEXTS.map((text, i) => {
      if (i % 3 === 0) return post('/v1/embeddings', { model: MODEL, input: text }).then((r) => (r.data as Array<{ embedding: number[] }>)[0]!.embedding);
      if (i % 3 === 1) {
        return post(`/v2/models/${encodeURIComponent(MODEL)}/infer`, { inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: [text] }] })
          .then((r) => (r.outputs as Array<{ data: number[] }>)[0]!.data);
      }
      return post(`/api/v1/infer/${encodeURIComponent(MODEL)}`, { inputs: text }).then((r) => (r.outputs as { embeddings: number[][] }).embeddings[0]!);
    });
    await eventually(async () => (await metric('modelmora_queue_depth')) === TEXTS.length, `${TEXTS.length} queued jobs`);
    gate.release();
    const answers = await Promise.all(calls);

    expect(await metric('modelmora_worker_calls_total', MODEL)).toBe(1);
    expect(await metric('modelmora_session_runs_total', MODEL)).toBe(1);
    // Each caller got its own text's vector: the same as that text embedded alone.
    for (const [i, text] of TEXTS.entries()) {
      const alone = (await post(`/api/v1/infer/${encodeURIComponent(REFERENCE)}`, { inputs: text })).outputs as { embeddings: number[][] };
      expect({ text, diff: maxAbsDiff(answers[i]!, alone.embeddings[0]!) < 1e-6 }).toEqual({ text, diff: true });
    }
    expect(await metric('modelmora_session_runs_total', REFERENCE)).toBe(TEXTS.length);
  });
});
