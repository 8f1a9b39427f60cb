import { cp, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { downloadFile, type DownloadLogger, type DownloadProgress } from './http-download.js';
import { ModelSourceError } from './model-file.errors.js';
import {
  childUrl,
  HF_OPTIONAL_FILES,
  HF_REQUIRED_FILES,
  redactUrl,
  SINGLE_MODEL_FILE,
  type ModelSource,
} from './model-source.js';

/** How a version's files are checksummed: one file (`model.onnx`) or the whole folder. */
export type SourceShape = 'file' | 'folder';

export interface FetchOptions {
  logger: DownloadLogger;
  idleTimeoutMs: number;
  onProgress?: (progress: DownloadProgress) => void;
}

/** Copies or downloads a model source into the (existing, empty) target folder. */
export async function fetchModelSource(source: ModelSource, target: string, options: FetchOptions): Promise<SourceShape> {
  switch (source.kind) {
    case 'local':
      return copyLocal(source.path, target);
    case 'http-file':
      await download(source.url, join(target, SINGLE_MODEL_FILE), true, options);
      return 'file';
    case 'http-folder':
      for (const file of HF_REQUIRED_FILES) await download(childUrl(source.url, file), join(target, file), true, options);
      for (const file of HF_OPTIONAL_FILES) await download(childUrl(source.url, file), join(target, file), false, options);
      return 'folder';
    default: {
      const unreachable: never = source;
      throw new ModelSourceError(`unknown model source ${JSON.stringify(unreachable)}`);
    }
  }
}

async function copyLocal(path: string, target: string): Promise<SourceShape> {
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new ModelSourceError(`model source ${path} not found`, { cause });
  }
  if (info.isDirectory()) {
    // dereference: the cache must hold real files, not links back into the source.
    await cp(path, target, { recursive: true, dereference: true });
    return 'folder';
  }
  if (!info.isFile() || !path.toLowerCase().endsWith('.onnx')) {
    throw new ModelSourceError(`model source ${path} is neither a .onnx file nor a folder`);
  }
  await cp(path, join(target, SINGLE_MODEL_FILE));
  return 'file';
}

async function download(url: URL, destination: string, required: boolean, options: FetchOptions): Promise<void> {
  await mkdir(dirname(destination), { recursive: true });
  const outcome = await downloadFile(url, destination, options);
  if (outcome.status === 'not-found') {
    if (required) {
      throw new ModelSourceError(`cannot fetch ${redactUrl(url)}: HTTP 404 Not Found`, { details: { http_status: 404 } });
    }
    options.logger.log(`optional ${redactUrl(url)} not found; skipped`);
  }
}
