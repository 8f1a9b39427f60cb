import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  fileChecksum,
  folderChecksum,
  InvalidChecksumFormatError,
  listFiles,
  normalizeChecksum,
} from '../../src/lifecycle/infrastructure/model-files/index.js';
import { tempDir, writeFiles } from './support/model-fixtures.js';

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

describe('model file checksums', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await tempDir('checksum');
    await writeFiles(dir, {
      'onnx/model.onnx': Buffer.from([1, 2, 3]),
      'tokenizer.json': '{}',
      'B.txt': 'upper case sorts first in byte order',
      '.hidden': 'dot files count too',
    });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('hashes a single file as the sha256 of its bytes', async () => {
    expect(await fileChecksum(join(dir, 'onnx/model.onnx'))).toBe(`sha256:${sha256(Buffer.from([1, 2, 3]))}`);
  });

  it('lists files by relative posix path in byte order', async () => {
    expect(await listFiles(dir)).toEqual(['.hidden', 'B.txt', 'onnx/model.onnx', 'tokenizer.json']);
  });

  it('hashes a folder as the sha256 of its sorted sha256sum lines', async () => {
    const lines = [
      `${sha256('dot files count too')}  .hidden\n`,
      `${sha256('upper case sorts first in byte order')}  B.txt\n`,
      `${sha256(Buffer.from([1, 2, 3]))}  onnx/model.onnx\n`,
      `${sha256('{}')}  tokenizer.json\n`,
    ].join('');
    expect(await folderChecksum(dir)).toBe(`sha256:${sha256(lines)}`);
  });

  it('matches the documented shell recipe', async () => {
    const shell = execFileSync(
      'bash',
      ['-c', "find -L . -type f -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum"],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(await folderChecksum(dir)).toBe(`sha256:${shell.split(' ')[0]}`);
  });

  it('normalizes and validates the sha256:<hex> form', () => {
    const hex = 'A'.repeat(64);
    expect(normalizeChecksum(`sha256:${hex}`)).toBe(`sha256:${'a'.repeat(64)}`);
    expect(() => normalizeChecksum('md5:abc')).toThrow(InvalidChecksumFormatError);
    expect(() => normalizeChecksum(`sha256:${'a'.repeat(63)}`)).toThrow(expect.objectContaining({ code: 'INVALID_CHECKSUM' }));
  });
});
