import { createHash, randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  ChecksumMismatchError,
  folderChecksum,
  ModelFileCache,
  ModelSourceError,
} from '../../src/lifecycle/infrastructure/model-files/index.js';
import { startStaticFileServer, type StaticFileServer } from './support/static-file-server.js';
import { captureLogger, huggingFaceFiles, tempDir, treeOf, writeFiles, type CapturedLogger } from './support/model-fixtures.js';

describe('ModelFileCache with http sources', () => {
  const bigModel = randomBytes(5 * 1024 * 1024);
  const bigChecksum = `sha256:${createHash('sha256').update(bigModel).digest('hex')}`;
  let root: string;
  let server: StaticFileServer;
  let modelDir: string;
  let logger: CapturedLogger;
  let cache: ModelFileCache;
  let hfChecksum: string;

  beforeAll(async () => {
    root = await tempDir('http-root');
    await writeFiles(root, { 'models/big.onnx': bigModel });
    // special_tokens_map.json is left out on purpose: optional files may 404.
    await writeFiles(join(root, 'hf'), huggingFaceFiles());
    await writeFiles(join(root, 'broken-hf'), { 'tokenizer.json': '{}' });
    hfChecksum = await folderChecksum(join(root, 'hf'));
    server = await startStaticFileServer(root);
  });
  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  beforeEach(async () => {
    modelDir = await tempDir('http-cache');
    logger = captureLogger();
    cache = new ModelFileCache({ modelDir, logger, policy: { allowPrivateAddresses: true } });
    server.requests.length = 0;
  });
  afterEach(() => rm(modelDir, { recursive: true, force: true }));

  it('streams a single .onnx file to model.onnx and logs bounded progress', async () => {
    const result = await cache.materialize({
      modelId: 'acme/big',
      version: 'v1',
      sourceUrl: `${server.url}models/big.onnx`,
      checksum: bigChecksum,
    });

    expect(result.files).toEqual(['model.onnx']);
    expect((await readFile(join(result.dir, 'model.onnx'))).equals(bigModel)).toBe(true);
    const progress = logger.logs.filter((line) => line.startsWith('downloading'));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThanOrEqual(15);
    expect(progress.at(-1)).toContain('5.0 MiB / 5.0 MiB (100%)');
    expect(logger.logs.some((line) => line.startsWith('downloaded'))).toBe(true);
    expect(await treeOf(join(modelDir, 'acme', 'big'))).toEqual(['v1', 'v1.~cache.json', 'v1/model.onnx']);
  });

  it('reuses a cached version without a second request', async () => {
    const request = { modelId: 'acme/big', version: 'v1', sourceUrl: `${server.url}models/big.onnx`, checksum: bigChecksum };
    const first = await cache.materialize(request);

    const second = await new ModelFileCache({ modelDir, logger, policy: { allowPrivateAddresses: true } }).materialize(request);

    expect(second).toEqual(first);
    expect(server.countOf('/models/big.onnx')).toBe(1);
    expect(logger.logs.some((line) => line.startsWith('reusing cached'))).toBe(true);
  });

  it('shares one download between concurrent calls', async () => {
    const request = { modelId: 'acme/big', version: 'v1', sourceUrl: `${server.url}models/big.onnx`, checksum: bigChecksum };

    const [a, b] = await Promise.all([cache.materialize(request), cache.materialize(request)]);

    expect(a).toEqual(b);
    expect(server.countOf('/models/big.onnx')).toBe(1);
  });

  it('fetches a Hugging Face folder, tolerating a missing optional file', async () => {
    const result = await cache.materialize({
      modelId: 'sentence-transformers/mini',
      version: 'main',
      sourceUrl: `${server.url}hf`,
      checksum: hfChecksum,
    });

    expect(result.files).toEqual(['config.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(server.countOf('/hf/special_tokens_map.json')).toBe(1);
    expect(await folderChecksum(result.dir)).toBe(hfChecksum);
  });

  it('follows redirects', async () => {
    const result = await cache.materialize({
      modelId: 'acme/big',
      version: 'v1',
      sourceUrl: `${server.url}redirect/models/big.onnx`,
      checksum: bigChecksum,
    });

    expect(result.files).toEqual(['model.onnx']);
    expect(server.requests).toEqual(['/redirect/models/big.onnx', '/models/big.onnx']);
  });

  it.each([
    ['a single file answering 404', 'models/missing.onnx', /models\/missing\.onnx answered HTTP 404/],
    ['a folder missing a required file', 'broken-hf/', /broken-hf\/onnx\/model\.onnx answered HTTP 404/],
  ])('fails with SOURCE_NOT_FOUND (the caller named nothing) on %s and leaves nothing behind', async (_label, path, message) => {
    const failure = cache.materialize({ modelId: 'acme/gone', version: 'v1', sourceUrl: `${server.url}${path}` });

    await expect(failure).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    await expect(failure).rejects.toThrow(message);
    expect(await treeOf(modelDir)).toEqual([]);
  });

  it('deletes the download when the checksum does not match', async () => {
    const wrong = `sha256:${'f'.repeat(64)}`;

    const failure = cache.materialize({ modelId: 'acme/big', version: 'v1', sourceUrl: `${server.url}models/big.onnx`, checksum: wrong });

    await expect(failure).rejects.toBeInstanceOf(ChecksumMismatchError);
    await expect(failure).rejects.toThrow(`expected ${wrong}, actual ${bigChecksum}`);
    expect(await treeOf(modelDir)).toEqual([]);
  });

  it('gives up on a server that stops answering', async () => {
    const impatient = new ModelFileCache({ modelDir, logger, httpIdleTimeoutMs: 200, policy: { allowPrivateAddresses: true } });

    const failure = impatient.materialize({ modelId: 'acme/slow', version: 'v1', sourceUrl: `${server.url}hang/model.onnx` });

    await expect(failure).rejects.toThrow(/no data for 200 ms/);
    expect(await treeOf(modelDir)).toEqual([]);
  });

  it('fails clearly when nothing listens', async () => {
    const failure = cache.materialize({ modelId: 'acme/none', version: 'v1', sourceUrl: 'http://127.0.0.1:1/model.onnx' });

    await expect(failure).rejects.toBeInstanceOf(ModelSourceError);
    await expect(failure).rejects.toThrow(/cannot fetch http:\/\/127\.0\.0\.1:1\/model\.onnx/);
  });
});
