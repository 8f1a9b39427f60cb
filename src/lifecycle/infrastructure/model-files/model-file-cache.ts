import { realpathSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DomainError } from '../../../shared/domain/domain-error.js';
import { fileChecksum, folderChecksum, listFiles, normalizeChecksum } from './checksum.js';
import { ChecksumMismatchError, ModelSourceError, SourceRequiredError } from './model-file.errors.js';
import { modelRootPath, versionPaths, type VersionPaths } from './model-cache-paths.js';
import { fetchModelSource, type SourceShape } from './model-source-fetcher.js';
import type { DownloadProgress } from './http-download.js';
import { parseModelSource, SINGLE_MODEL_FILE } from './model-source.js';
import { resolveSourcePolicy, type SourcePolicy } from './source-policy.js';
import {
  abandonStaging, createStaging, discard, isDirectory, promoteStaging, pruneEmptyParents, readMarker, removeStaleStaging, writeMarker,
} from './version-folder.js';

export interface ModelFileLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface ModelFileCacheOptions {
  /** Root of the cache (MODELMORA_MODEL_DIR). */
  modelDir: string;
  logger?: ModelFileLogger;
  /** An http download aborts when no byte arrives for this long (default 60 s). */
  httpIdleTimeoutMs?: number;
  /** Allowed local roots, private addresses, size and time limits (defaults: {@link resolveSourcePolicy}). */
  policy?: Partial<SourcePolicy>;
}

export interface MaterializeRequest {
  modelId: string;
  version: string;
  /** `file://`, an absolute path, or `http(s)://`: a single `.onnx` file or a Hugging Face layout folder; none is SOURCE_REQUIRED. */
  sourceUrl: string | null;
  /** `sha256:<64 hex>`: of the file for a single file, of {@link folderChecksum} for a folder. */
  checksum?: string | null;
  /** Live download progress (http sources only), for the load-progress stream. */
  onProgress?: (progress: DownloadProgress) => void;
}

/**
 * A version's files, verified. A single-file source becomes `<dir>/model.onnx`; a folder
 * source keeps its layout (`tokenizer.json`, `onnx/model.onnx`, ...). `files` are relative
 * posix paths.
 */
export interface MaterializedModel {
  dir: string;
  files: string[];
}

/**
 * Model versions under `modelDir/<owner>/<name>/<version>/`, fetched into staging,
 * verified, renamed, then marked complete: a crash never leaves a half version.
 */
export class ModelFileCache {
  private readonly modelDir: string;
  private readonly logger: ModelFileLogger;
  private readonly idleTimeoutMs: number;
  private readonly policy: SourcePolicy;
  private readonly inFlight = new Map<string, { signature: string; promise: Promise<MaterializedModel> }>();
  private readonly warnedUnverified = new Set<string>();

  constructor(options: ModelFileCacheOptions) {
    this.modelDir = resolve(options.modelDir);
    this.logger = options.logger ?? { log: (m) => console.log(m), warn: (m) => console.warn(m) };
    this.idleTimeoutMs = options.httpIdleTimeoutMs ?? 60_000;
    this.policy = resolveSourcePolicy(options.policy);
  }

  /** Ensures the version's files are in the cache and verified; concurrent calls share one fetch. */
  materialize(request: MaterializeRequest): Promise<MaterializedModel> {
    let paths: VersionPaths;
    let expected: string | undefined;
    let sourceUrl: string;
    try {
      paths = versionPaths(this.modelDir, request.modelId, request.version);
      expected = request.checksum ? normalizeChecksum(request.checksum) : undefined;
      if (!request.sourceUrl) throw new SourceRequiredError(`version ${request.version} of ${request.modelId}`);
      sourceUrl = request.sourceUrl;
    } catch (error) {
      return Promise.reject(error);
    }
    const key = `${request.modelId}@${request.version}`;
    const signature = `${sourceUrl}\n${expected ?? ''}`;
    const running = this.inFlight.get(key);
    if (running?.signature === signature) return running.promise;
    // A different request for the same folder waits its turn instead of racing on it.
    const previous = running?.promise.catch(() => undefined) ?? Promise.resolve();
    const promise = previous.then(() => this.materializeNow({ ...request, sourceUrl }, paths, expected));
    const entry = { signature, promise };
    this.inFlight.set(key, entry);
    const clear = (): void => {
      if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
    };
    promise.then(clear, clear);
    return promise;
  }

  /**
   * The text with this cache's location replaced by its setting's name: load failures (the
   * runtime's, the file system's) quote file paths, and a caller must not learn the server's.
   */
  withoutCachePaths(text: string): string {
    const roots = new Set([this.modelDir]);
    try {
      roots.add(realpathSync(this.modelDir));
    } catch { /* not created yet: nothing under it to quote */ }
    let shown = text;
    for (const root of roots) if (root.length > 1) shown = shown.replaceAll(root, '$MODELMORA_MODEL_DIR');
    return shown;
  }

  /** Deletes one version's files, or every version of the model when version is omitted. */
  async remove(modelId: string, version?: string): Promise<void> {
    if (version === undefined) {
      const root = modelRootPath(this.modelDir, modelId);
      const prefix = `${modelId}@`;
      await Promise.all([...this.inFlight].filter(([k]) => k.startsWith(prefix)).map(([, e]) => e.promise.catch(() => undefined)));
      await rm(root, { recursive: true, force: true });
      await pruneEmptyParents(this.modelDir, root);
      return;
    }
    const paths = versionPaths(this.modelDir, modelId, version);
    await this.inFlight.get(`${modelId}@${version}`)?.promise.catch(() => undefined);
    await discard(paths);
    await removeStaleStaging(paths);
    await pruneEmptyParents(this.modelDir, paths.versionDir);
  }

  private async materializeNow(
    request: MaterializeRequest & { sourceUrl: string },
    paths: VersionPaths,
    expected: string | undefined,
  ): Promise<MaterializedModel> {
    const subject = `${request.modelId}@${request.version}`;
    if (expected === undefined) this.warnUnverified(subject);
    const source = parseModelSource(request.sourceUrl);
    const cached = await this.reuse(request, paths, expected);
    if (cached) return cached;

    // Whatever is there did not verify for this request: it must not outlive a failed fetch.
    await discard(paths);
    await removeStaleStaging(paths);
    const staging = await createStaging(paths);
    try {
      const shape = await fetchModelSource(source, staging, { logger: this.logger, idleTimeoutMs: this.idleTimeoutMs, policy: this.policy, onProgress: request.onProgress });
      const actual = await checksumOf(staging, shape);
      if (expected !== undefined && actual !== expected) throw new ChecksumMismatchError(subject, expected, actual);
      await promoteStaging(paths, staging);
      const files = await listFiles(paths.versionDir);
      await writeMarker(paths, { model_id: request.modelId, version: request.version, source_url: request.sourceUrl, shape, checksum: actual, files, verified_at: new Date().toISOString() });
      this.logger.log(`model files for ${subject} ready in ${paths.versionDir} (${files.length} files, ${actual})`);
      return { dir: paths.versionDir, files };
    } catch (error) {
      await abandonStaging(this.modelDir, paths, staging);
      if (error instanceof DomainError) throw error;
      throw new ModelSourceError(`materializing ${subject} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  private async reuse(request: MaterializeRequest & { sourceUrl: string }, paths: VersionPaths, expected: string | undefined): Promise<MaterializedModel | undefined> {
    const marker = await readMarker(paths.markerFile);
    if (!marker || !(await isDirectory(paths.versionDir))) return undefined;
    const subject = `${request.modelId}@${request.version}`;
    const wanted = expected ?? (marker.source_url === request.sourceUrl ? marker.checksum : undefined);
    if (wanted === undefined) {
      this.logger.log(`cached ${subject} came from another source_url; fetching again`);
      return undefined;
    }
    const actual = await checksumOf(paths.versionDir, marker.shape);
    if (actual !== wanted) {
      this.logger.warn(`cached ${subject} no longer verifies (expected ${wanted}, actual ${actual}); fetching again`);
      return undefined;
    }
    this.logger.log(`reusing cached model files for ${subject} in ${paths.versionDir}`);
    return { dir: paths.versionDir, files: await listFiles(paths.versionDir) };
  }

  private warnUnverified(subject: string): void {
    if (this.warnedUnverified.has(subject)) return;
    this.warnedUnverified.add(subject);
    this.logger.warn(`no checksum registered for ${subject}: its model files are not verified`);
  }
}

function checksumOf(dir: string, shape: SourceShape): Promise<string> {
  return shape === 'file' ? fileChecksum(join(dir, SINGLE_MODEL_FILE)) : folderChecksum(dir);
}
