import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { downloadFile, type DownloadLogger, type DownloadProgress } from './http-download.js';
import { copyLocalSource, type SourceShape } from './local-source-copy.js';
import { ModelSourceError, SourceNotFoundError } from './model-file.errors.js';
import {
  childUrl,
  HF_OPTIONAL_FILES,
  HF_REQUIRED_FILES,
  redactUrl,
  SINGLE_MODEL_FILE,
  type ModelSource,
} from './model-source.js';
import { ByteBudget, type SourcePolicy } from './source-policy.js';

export type { SourceShape } from './local-source-copy.js';

export interface FetchOptions {
  logger: DownloadLogger;
  idleTimeoutMs: number;
  policy: SourcePolicy;
  onProgress?: (progress: DownloadProgress) => void;
}

interface Fetch extends FetchOptions {
  budget: ByteBudget;
  deadlineAt: number;
}

/** Copies or downloads a model source into the (existing, empty) target folder, within the policy's roots and limits. */
export async function fetchModelSource(source: ModelSource, target: string, options: FetchOptions): Promise<SourceShape> {
  const run: Fetch = { ...options, budget: new ByteBudget(options.policy.maxBytes), deadlineAt: Date.now() + options.policy.timeoutMs };
  switch (source.kind) {
    case 'local':
      return copyLocalSource(source.path, options.policy.roots, target, run.budget);
    case 'http-file':
      await download(source.url, join(target, SINGLE_MODEL_FILE), true, run);
      return 'file';
    case 'http-folder':
      for (const file of HF_REQUIRED_FILES) await download(childUrl(source.url, file), join(target, file), true, run);
      for (const file of HF_OPTIONAL_FILES) await download(childUrl(source.url, file), join(target, file), false, run);
      return 'folder';
    default: {
      const unreachable: never = source;
      throw new ModelSourceError(`unknown model source ${JSON.stringify(unreachable)}`);
    }
  }
}

async function download(url: URL, destination: string, required: boolean, run: Fetch): Promise<void> {
  await mkdir(dirname(destination), { recursive: true });
  const outcome = await downloadFile(url, destination, {
    logger: run.logger,
    idleTimeoutMs: run.idleTimeoutMs,
    deadlineAt: run.deadlineAt,
    budget: run.budget,
    allowPrivateAddresses: run.policy.allowPrivateAddresses,
    onProgress: run.onProgress,
  });
  if (outcome.status === 'not-found') {
    if (required) {
      throw new SourceNotFoundError(redactUrl(url));
    }
    run.logger.log(`optional ${redactUrl(url)} not found; skipped`);
  }
}
