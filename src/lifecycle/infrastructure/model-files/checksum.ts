import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidChecksumFormatError } from './model-file.errors.js';

const CHECKSUM_PATTERN = /^sha256:([0-9a-fA-F]{64})$/;

/** Validates `sha256:<64 hex>` and returns it with the hex lower-cased. */
export function normalizeChecksum(checksum: string): string {
  const match = CHECKSUM_PATTERN.exec(checksum.trim());
  if (!match) throw new InvalidChecksumFormatError(checksum);
  return `sha256:${match[1]!.toLowerCase()}`;
}

/** Streams the file through sha256 (never holds it in memory); returns `sha256:<hex>`. */
export async function fileChecksum(path: string): Promise<string> {
  return `sha256:${await sha256Hex(path)}`;
}

/** A folder's `sha256:<hex>`: the sha256 of its `sha256sum` lines sorted by path, as a shell computes it (docs/models.md). */
export async function folderChecksum(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const relative of await listFiles(dir)) {
    hash.update(`${await sha256Hex(join(dir, ...relative.split('/')))}  ${relative}\n`);
  }
  return `sha256:${hash.digest('hex')}`;
}

/** Every regular file under dir as a relative posix path, in byte order (the checksum's order). */
export async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  await collect(dir, '', found);
  return found.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

async function collect(root: string, prefix: string, found: string[]): Promise<void> {
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(join(root, relative));
      isDir = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDir) await collect(root, relative, found);
    else if (isFile) found.push(relative);
  }
}

async function sha256Hex(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
