import { copyFile, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { isUnderRoots, SourceNotAllowedError } from '../../../shared/domain/model-source-rules.js';
import { formatBytes } from './http-download.js';
import { ModelSourceError } from './model-file.errors.js';
import { SINGLE_MODEL_FILE } from './model-source.js';
import type { ByteBudget } from './source-policy.js';

/** How a version's files are checksummed: one file (`model.onnx`) or the whole folder. */
export type SourceShape = 'file' | 'folder';

const MAX_FILES = 10_000;

/**
 * Copies a local `.onnx` file or model folder into the target, refusing anything that resolves
 * outside `roots` with the same answer as a path that does not exist: nothing outside is read.
 */
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
    throw SourceNotAllowedError.local(shown);
  }
  const realRoots = (await Promise.all(roots.map((root) => realpath(root).catch(() => undefined)))).filter((r): r is string => r !== undefined);
  if (!isUnderRoots(real, realRoots)) throw SourceNotAllowedError.local(shown);
  return real;
}

function take(budget: ByteBudget, bytes: number, shown: string): void {
  if (!budget.take(bytes)) {
    throw new ModelSourceError(`model source ${shown} is larger than the ${formatBytes(budget.limit)} allowed (MODELMORA_MAX_SOURCE_MB)`);
  }
}
