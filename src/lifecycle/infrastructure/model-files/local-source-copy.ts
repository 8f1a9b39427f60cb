import { copyFile, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, sep, isAbsolute } from 'node:path';
import { formatBytes } from './http-download.js';
import { ModelSourceError } from './model-file.errors.js';
import { SINGLE_MODEL_FILE } from './model-source.js';
import type { ByteBudget } from './source-policy.js';

/** How a version's files are checksummed: one file (`model.onnx`) or the whole folder. */
export type SourceShape = 'file' | 'folder';

const MAX_FILES = 10_000;

/**
 * One answer for a path outside the allowed roots and a path that does not exist, so a
 * caller cannot probe the server's files; nothing outside the roots is read or hashed.
 */
export class SourceNotAllowedError extends ModelSourceError {
  constructor(path: string) {
    super(`model source ${path} is not allowed or not found (local sources must lie under MODELMORA_SOURCE_ROOTS)`);
  }
}

/** Copies a local `.onnx` file or model folder into the target, refusing anything that resolves outside `roots`. */
export async function copyLocalSource(path: string, roots: readonly string[], target: string, budget: ByteBudget): Promise<SourceShape> {
  const real = await allowedRealPath(path, roots, path);
  const info = await stat(real);
  if (info.isDirectory()) {
    await copyFolder(real, roots, target, budget, path);
    return 'folder';
  }
  if (!info.isFile() || !real.toLowerCase().endsWith('.onnx')) {
    throw new ModelSourceError(`model source ${path} is neither a .onnx file nor a folder`);
  }
  take(budget, info.size, path);
  await copyFile(real, join(target, SINGLE_MODEL_FILE));
  return 'file';
}

/** Every file is resolved on its own: a symlink inside the folder must not lead out of the roots either. */
async function copyFolder(dir: string, roots: readonly string[], target: string, budget: ByteBudget, shown: string): Promise<void> {
  let files = 0;
  const walk = async (relativeDir: string): Promise<void> => {
    for (const entry of await readdir(join(dir, relativeDir), { withFileTypes: true })) {
      const rel = relativeDir ? join(relativeDir, entry.name) : entry.name;
      const real = await allowedRealPath(join(dir, rel), roots, `${shown}${sep}${rel}`);
      const info = await stat(real);
      if (info.isDirectory()) {
        await walk(rel);
      } else if (info.isFile()) {
        if (++files > MAX_FILES) throw new ModelSourceError(`model source ${shown} has more than ${MAX_FILES} files`);
        take(budget, info.size, shown);
        await mkdir(dirname(join(target, rel)), { recursive: true });
        await copyFile(real, join(target, rel));
      }
    }
  };
  await walk('');
}

async function allowedRealPath(path: string, roots: readonly string[], shown: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw new SourceNotAllowedError(shown);
  }
  if (!(await underAnyRoot(real, roots))) throw new SourceNotAllowedError(shown);
  return real;
}

async function underAnyRoot(real: string, roots: readonly string[]): Promise<boolean> {
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => undefined);
    if (realRoot === undefined) continue;
    const rel = relative(realRoot, real);
    if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) return true;
  }
  return false;
}

function take(budget: ByteBudget, bytes: number, shown: string): void {
  if (!budget.take(bytes)) {
    throw new ModelSourceError(`model source ${shown} is larger than the ${formatBytes(budget.limit)} allowed (MODELMORA_MAX_SOURCE_MB)`);
  }
}
