import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  ChecksumMismatchError,
  fileChecksum,
  folderChecksum,
  InvalidModelPathError,
  ModelFileCache,
  ModelSourceError,
  SourceNotAllowedError,
} from '../../src/lifecycle/infrastructure/model-files/index.js';
import { captureLogger, huggingFaceFiles, tempDir, treeOf, writeFiles, type CapturedLogger } from './support/model-fixtures.js';

describe('ModelFileCache with local sources', () => {
  let sources: string;
  let modelDir: string;
  let logger: CapturedLogger;
  let cache: ModelFileCache;
  const onnxBytes = randomBytes(4096);

  beforeAll(async () => {
    sources = await tempDir('local-sources');
    await writeFiles(sources, { 'single/tiny.onnx': onnxBytes, 'notes.txt': 'not a model' });
    await writeFiles(join(sources, 'hf'), huggingFaceFiles());
  });
  afterAll(() => rm(sources, { recursive: true, force: true }));

  beforeEach(async () => {
    modelDir = await tempDir('local-cache');
    logger = captureLogger();
    cache = new ModelFileCache({ modelDir, logger, policy: { roots: [sources] } });
  });
  afterEach(() => rm(modelDir, { recursive: true, force: true }));

  it('copies a file:// .onnx file to <owner>/<name>/<version>/model.onnx', async () => {
    const sourceUrl = pathToFileURL(join(sources, 'single/tiny.onnx')).href;
    const checksum = await fileChecksum(join(sources, 'single/tiny.onnx'));

    const result = await cache.materialize({ modelId: 'acme/tiny', version: 'v1', sourceUrl, checksum });

    expect(result).toEqual({ dir: join(modelDir, 'acme', 'tiny', 'v1'), files: ['model.onnx'] });
    expect(await readFile(join(result.dir, 'model.onnx'))).toEqual(onnxBytes);
    expect(logger.warns).toEqual([]);
  });

  it('treats a bare absolute path as a local source and warns once when no checksum is given', async () => {
    const request = { modelId: 'acme/tiny', version: 'main', sourceUrl: join(sources, 'single/tiny.onnx') };

    await cache.materialize(request);
    const again = await cache.materialize(request);

    expect(again.files).toEqual(['model.onnx']);
    expect(logger.warns.filter((w) => w.includes('no checksum'))).toHaveLength(1);
  });

  it('copies a file:// Hugging Face folder recursively and verifies the folder checksum', async () => {
    const checksum = await folderChecksum(join(sources, 'hf'));

    const result = await cache.materialize({
      modelId: 'sentence-transformers/mini',
      version: 'main',
      sourceUrl: pathToFileURL(join(sources, 'hf')).href,
      checksum,
    });

    expect(result.files).toEqual(['config.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(await folderChecksum(result.dir)).toBe(checksum);
  });

  it('rejects a checksum mismatch and leaves nothing in the cache folder', async () => {
    const wrong = `sha256:${'0'.repeat(64)}`;
    const actual = await fileChecksum(join(sources, 'single/tiny.onnx'));

    const failure = cache.materialize({ modelId: 'acme/tiny', version: 'v1', sourceUrl: join(sources, 'single/tiny.onnx'), checksum: wrong });

    await expect(failure).rejects.toBeInstanceOf(ChecksumMismatchError);
    await expect(failure).rejects.toMatchObject({ code: 'INVALID_CHECKSUM', expected: wrong, actual });
    await expect(failure).rejects.toThrow(new RegExp(`expected ${wrong}, actual ${actual}`));
    expect(await treeOf(modelDir)).toEqual([]);
  });

  it('fetches again when the cached files no longer verify', async () => {
    const sourceUrl = join(sources, 'single/tiny.onnx');
    const checksum = await fileChecksum(sourceUrl);
    const first = await cache.materialize({ modelId: 'acme/tiny', version: 'v1', sourceUrl, checksum });
    await writeFile(join(first.dir, 'model.onnx'), 'tampered');

    const second = await cache.materialize({ modelId: 'acme/tiny', version: 'v1', sourceUrl, checksum });

    expect(await fileChecksum(join(second.dir, 'model.onnx'))).toBe(checksum);
    expect(logger.warns.some((w) => w.includes('no longer verifies'))).toBe(true);
  });

  it('fails with LOAD_FAILED on a file that is not .onnx', async () => {
    const failure = cache.materialize({ modelId: 'acme/tiny', version: 'v1', sourceUrl: pathToFileURL(join(sources, 'notes.txt')).href });

    await expect(failure).rejects.toBeInstanceOf(ModelSourceError);
    await expect(failure).rejects.toMatchObject({ code: 'LOAD_FAILED' });
    expect(await treeOf(modelDir)).toEqual([]);
  });

  it.each([
    ['a missing file', () => pathToFileURL(join(sources, 'missing.onnx')).href],
    ['an unsupported scheme', () => 's3://bucket/model.onnx'],
    ['a relative path', () => 'models/tiny.onnx'],
  ])("fails with the caller's SOURCE_NOT_ALLOWED on %s", async (_label, sourceUrl) => {
    const failure = cache.materialize({ modelId: 'acme/tiny', version: 'v1', sourceUrl: sourceUrl() });

    await expect(failure).rejects.toBeInstanceOf(SourceNotAllowedError);
    await expect(failure).rejects.toMatchObject({ code: 'SOURCE_NOT_ALLOWED' });
    expect(await treeOf(modelDir)).toEqual([]);
  });

  it("fails with the caller's SOURCE_REQUIRED on a version that has no source", async () => {
    await expect(cache.materialize({ modelId: 'acme/tiny', version: 'v1', sourceUrl: null })).rejects.toMatchObject({ code: 'SOURCE_REQUIRED' });
  });

  it.each([
    ['../escape', 'v1'],
    ['acme/..', 'v1'],
    ['acme/./x', 'v1'],
    ['no-owner', 'v1'],
    ['acme/ti ny', 'v1'],
    ['acme/tiny', '..'],
    ['acme/tiny', 'v1/../../x'],
    ['acme/tiny', '.'],
  ])('rejects the unsafe path %s @ %s', async (modelId, version) => {
    const failure = cache.materialize({ modelId, version, sourceUrl: join(sources, 'single/tiny.onnx') });

    await expect(failure).rejects.toBeInstanceOf(InvalidModelPathError);
    expect(await treeOf(modelDir)).toEqual([]);
  });

  it('removes one version, then the whole model', async () => {
    const sourceUrl = join(sources, 'single/tiny.onnx');
    await cache.materialize({ modelId: 'acme/tiny', version: 'v1', sourceUrl });
    await cache.materialize({ modelId: 'acme/tiny', version: 'v2', sourceUrl });

    await cache.remove('acme/tiny', 'v1');
    expect(await treeOf(modelDir)).toEqual(['acme', 'acme/tiny', 'acme/tiny/v2', 'acme/tiny/v2.~cache.json', 'acme/tiny/v2/model.onnx']);

    await cache.remove('acme/tiny');
    expect(await treeOf(modelDir)).toEqual([]);
  });
});
