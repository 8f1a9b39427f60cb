import { createHash, randomBytes } from 'node:crypto';
import { rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  fileChecksum,
  ModelFileCache,
  resolveSourcePolicy,
  SourceNotAllowedError,
  type SourcePolicy,
} from '../../src/lifecycle/infrastructure/model-files/index.js';
import { startStaticFileServer, type StaticFileServer } from './support/static-file-server.js';
import { captureLogger, huggingFaceFiles, tempDir, treeOf, writeFiles } from './support/model-fixtures.js';

describe('model sources stay inside what the operator allowed', () => {
  const modelBytes = randomBytes(64 * 1024);
  const modelChecksum = `sha256:${createHash('sha256').update(modelBytes).digest('hex')}`;
  let roots: string;
  let outside: string;
  let modelDir: string;
  let server: StaticFileServer;
  const cache = (policy: Partial<SourcePolicy>, idle?: number) =>
    new ModelFileCache({ modelDir, logger: captureLogger(), policy, ...(idle ? { httpIdleTimeoutMs: idle } : {}) });

  beforeAll(async () => {
    roots = await tempDir('allowed-root');
    outside = await tempDir('outside-root');
    await writeFiles(roots, { 'ok/tiny.onnx': modelBytes, 'big/one.onnx': randomBytes(300 * 1024) });
    await writeFiles(join(roots, 'hf'), huggingFaceFiles());
    await writeFiles(outside, { 'secret.onnx': randomBytes(128), 'secret-dir/notes.txt': 'private' });
    await symlink(join(outside, 'secret.onnx'), join(roots, 'ok', 'escape.onnx'));
    await writeFiles(join(roots, 'hf-escape'), huggingFaceFiles());
    await symlink(join(outside, 'secret-dir'), join(roots, 'hf-escape', 'leak'));
    await writeFiles(roots, { 'served/model.onnx': modelBytes });
    server = await startStaticFileServer(join(roots, 'served'));
  });
  afterAll(async () => {
    await server.close();
    await rm(roots, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });
  beforeEach(async () => {
    modelDir = await tempDir('policy-cache');
    server.requests.length = 0;
  });
  afterEach(() => rm(modelDir, { recursive: true, force: true }));

  describe('file:// sources', () => {
    it('allows only the working directory when no roots are configured (the README walkthrough)', () => {
      expect(resolveSourcePolicy().roots).toEqual([process.cwd()]);
    });

    it('answers a path outside the roots exactly as a path that does not exist, and hashes neither', async () => {
      const wrong = `sha256:${'0'.repeat(64)}`;
      const outsideFile = join(outside, 'secret.onnx');
      const missing = join(roots, 'ok', 'missing.onnx');

      const refusedOutside = await cache({ roots: [roots] }).materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: pathToFileURL(outsideFile).href, checksum: wrong }).catch((e: unknown) => e);
      const refusedMissing = await cache({ roots: [roots] }).materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: pathToFileURL(missing).href, checksum: wrong }).catch((e: unknown) => e);

      expect(refusedOutside).toBeInstanceOf(SourceNotAllowedError);
      expect(refusedMissing).toBeInstanceOf(SourceNotAllowedError);
      const message = (e: unknown, path: string) => (e as Error).message.replace(path, '<path>');
      expect(message(refusedOutside, outsideFile)).toBe(message(refusedMissing, missing));
      expect((refusedOutside as Error).message).not.toContain(await fileChecksum(outsideFile));
      expect(refusedOutside).toMatchObject({ code: 'SOURCE_NOT_ALLOWED', details: { field: 'source_url' } }); // the caller's mistake, 422
      expect(await treeOf(modelDir)).toEqual([]);
    });

    it.each([
      ['/etc/passwd', '/etc/passwd'],
      ['a .. escape', 'ok/../../etc/hostname'],
    ])('refuses %s', async (_label, path) => {
      const sourceUrl = path.startsWith('/') ? path : join(roots, path);
      await expect(cache({ roots: [roots] }).materialize({ modelId: 'acme/x', version: 'v1', sourceUrl })).rejects.toBeInstanceOf(SourceNotAllowedError);
    });

    it('refuses a symlink inside the roots that leads out of them', async () => {
      const failure = cache({ roots: [roots] }).materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: join(roots, 'ok', 'escape.onnx') });
      await expect(failure).rejects.toBeInstanceOf(SourceNotAllowedError);
      expect(await treeOf(modelDir)).toEqual([]);
    });

    it('refuses a folder holding a symlink that leads out of the roots, and copies nothing', async () => {
      const failure = cache({ roots: [roots] }).materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: join(roots, 'hf-escape') });
      await expect(failure).rejects.toBeInstanceOf(SourceNotAllowedError);
      expect(await treeOf(modelDir)).toEqual([]);
    });

    it('refuses a source larger than the size limit', async () => {
      const failure = cache({ roots: [roots], maxBytes: 100 * 1024 }).materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: join(roots, 'big', 'one.onnx') });
      await expect(failure).rejects.toThrow(/larger than the 100\.0 KiB allowed \(MODELMORA_MAX_SOURCE_MB\)/);
      const folder = cache({ roots: [roots], maxBytes: 10 * 1024 }).materialize({ modelId: 'acme/y', version: 'v1', sourceUrl: join(roots, 'hf') });
      await expect(folder).rejects.toThrow(/larger than/);
      expect(await treeOf(modelDir)).toEqual([]);
    });

    it('still copies a file and a folder inside the roots', async () => {
      const file = await cache({ roots: [roots] }).materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: join(roots, 'ok', 'tiny.onnx'), checksum: modelChecksum });
      const folder = await cache({ roots: [roots] }).materialize({ modelId: 'acme/y', version: 'v1', sourceUrl: join(roots, 'hf') });
      expect(file.files).toEqual(['model.onnx']);
      expect(folder.files).toEqual(['config.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    });
  });

  describe('http(s):// sources', () => {
    it.each([
      ['a loopback literal', () => `${server.url}model.onnx`],
      ['a name that resolves to loopback', () => `${server.url.replace('127.0.0.1', 'localhost')}model.onnx`],
      ['an IPv6 loopback', () => 'http://[::1]:9/model.onnx'],
      ['a private address', () => 'http://10.0.0.1/model.onnx'],
      ['cloud metadata', () => 'http://169.254.169.254/latest/model.onnx'],
    ])('refuses %s by default, before connecting, as SOURCE_NOT_ALLOWED', async (_label, url) => {
      const failure = cache({}).materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: url() });
      await expect(failure).rejects.toBeInstanceOf(SourceNotAllowedError);
      await expect(failure).rejects.toThrow(/not an allowed address.*MODELMORA_ALLOW_PRIVATE_SOURCES/);
      expect(server.requests).toEqual([]);
    });

    it('downloads from a private address when the setting allows it', async () => {
      const result = await cache({ allowPrivateAddresses: true }).materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: `${server.url}model.onnx`, checksum: modelChecksum });
      expect(result.files).toEqual(['model.onnx']);
    });

    it('checks every redirect again: never to link-local metadata, never to another scheme', async () => {
      const allowed = cache({ allowPrivateAddresses: true });
      const toMetadata = allowed.materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: `${server.url}redirect-to?${encodeURIComponent('http://169.254.169.254/latest/meta-data/model.onnx')}` });
      await expect(toMetadata).rejects.toThrow(/169\.254\.169\.254 is not an allowed address/);
      const mapped = allowed.materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: 'http://[::ffff:169.254.169.254]/model.onnx' });
      await expect(mapped).rejects.toThrow(/not an allowed address/);
      const toFile = allowed.materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: `${server.url}redirect-to?${encodeURIComponent('file:///etc/passwd')}` });
      await expect(toFile).rejects.toThrow(/redirect leads to the unsupported scheme file:/);
      const loop = allowed.materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: `${server.url}loop/model.onnx` });
      await expect(loop).rejects.toThrow(/more than 5 redirects/);
      expect(await treeOf(modelDir)).toEqual([]);
    });

    it('refuses a body over the size limit, announced or not', async () => {
      const announced = cache({ allowPrivateAddresses: true, maxBytes: 1024 }).materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: `${server.url}model.onnx` });
      await expect(announced).rejects.toThrow(/larger than the 1\.0 KiB allowed/);
      const chunked = cache({ allowPrivateAddresses: true, maxBytes: 1024 }).materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: `${server.url}chunked/model.onnx` });
      await expect(chunked).rejects.toThrow(/larger than the 1\.0 KiB allowed/);
      expect(await treeOf(modelDir)).toEqual([]);
    });

    it('gives up at the total deadline on a server that trickles bytes', async () => {
      const failure = cache({ allowPrivateAddresses: true, timeoutMs: 500 }, 60_000).materialize({ modelId: 'acme/x', version: 'v1', sourceUrl: `${server.url}trickle/model.onnx` });
      await expect(failure).rejects.toThrow(/deadline passed \(MODELMORA_DOWNLOAD_TIMEOUT_MS\)/);
      expect(await treeOf(modelDir)).toEqual([]);
    });
  });
});
