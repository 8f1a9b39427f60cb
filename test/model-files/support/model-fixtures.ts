import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface CapturedLogger {
  logs: string[];
  warns: string[];
  log(message: string): void;
  warn(message: string): void;
}

export function captureLogger(): CapturedLogger {
  const logs: string[] = [];
  const warns: string[] = [];
  return { logs, warns, log: (m) => logs.push(m), warn: (m) => warns.push(m) };
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `modelmora-${prefix}-`));
}

export async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, relative)), { recursive: true });
    await writeFile(join(root, relative), content);
  }
}

/** A Hugging Face style folder (the bytes need not be a real graph: the cache never parses them). */
export function huggingFaceFiles(): Record<string, string | Buffer> {
  return {
    'tokenizer.json': JSON.stringify({ version: '1.0', model: { type: 'WordPiece' } }),
    'onnx/model.onnx': randomBytes(64 * 1024),
    'config.json': JSON.stringify({ hidden_size: 8 }),
    'tokenizer_config.json': JSON.stringify({ do_lower_case: true }),
  };
}

/** Every entry under dir (relative, posix), empty when dir does not exist. */
export async function treeOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.map((e) => e.split('\\').join('/')).sort();
}
