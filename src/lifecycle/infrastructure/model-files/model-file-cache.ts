import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DomainError } from '../../../shared/domain/domain-error.js';
import { fileChecksum, folderChecksum, listFiles, normalizeChecksum } from './checksum.js';
import { ChecksumMismatchError, ModelSourceError } from './model-file.errors.js';
import { modelRootPath, versionPaths, type VersionPaths } from './model-cache-paths.js';
import { fetchModelSource, type SourceShape } from './model-source-fetcher.js';
import type { DownloadProgress } from './http-download.js';
import { parseModelSource, SINGLE_MODEL_FILE } from './model-source.js';
import { resolveSourcePolicy, type SourcePolicy } from './source-policy.js';

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
  /** `file://`, an absolute path, or `http(s)://`: a single `.onnx` file or a Hugging Face layout folder. */
  sourceUrl: string;
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

interface CacheMarker {
  model_id: string;
  version: string;
  source_url: string;
  shape: SourceShape;
  checksum: string;
  files: string[];
  verified_at: string;
}

/**
 * Puts model versions into `modelDir/<owner>/<name>/<version>/` and verifies their checksum
 * before anyone loads them. A version is fetched into a staging folder beside the final one,
 * verified, renamed into place, and only then marked complete, so a crash mid-download is
 * never mistaken for a cached version. Assumes one process manages a given model's folder.
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
    try {
      paths = versionPaths(this.modelDir, request.modelId, request.version);
      expected = request.checksum ? normalizeChecksum(request.checksum) : undefined;
    } catch (error) {
      return Promise.reject(error);
    }
    const key = `${request.modelId}@${request.version}`;
    const signature = `${request.sourceUrl}\n${expected ?? ''}`;
    const running = this.inFlight.get(key);
    if (running?.signature === signature) return running.promise;
    // A different request for the same folder waits its turn instead of racing on it.
    const previous = running?.promise.catch(() => undefined) ?? Promise.resolve();
    const promise = previous.then(() => this.materializeNow(request, paths, expected));
    const entry = { signature, promise };
    this.inFlight.set(key, entry);
    const clear = (): void => {
      if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
    };
    promise.then(clear, clear);
    return promise;
  }

  /** Deletes one version's files, or every version of the model when version is omitted. */
  async remove(modelId: string, version?: string): Promise<void> {
    if (version === undefined) {
      const root = modelRootPath(this.modelDir, modelId);
      const prefix = `${modelId}@`;
      await Promise.all([...this.inFlight].filter(([k]) => k.startsWith(prefix)).map(([, e]) => e.promise.catch(() => undefined)));
      await rm(root, { recursive: true, force: true });
      await this.pruneEmptyParents(root);
      return;
    }
    const paths = versionPaths(this.modelDir, modelId, version);
    await this.inFlight.get(`${modelId}@${version}`)?.promise.catch(() => undefined);
    await this.discard(paths);
    await this.removeStaleStaging(paths);
    await this.pruneEmptyParents(paths.versionDir);
  }

  private async materializeNow(
    request: MaterializeRequest,
    paths: VersionPaths,
    expected: string | undefined,
  ): Promise<MaterializedModel> {
    const subject = `${request.modelId}@${request.version}`;
    if (expected === undefined) this.warnUnverified(subject);
    const source = parseModelSource(request.sourceUrl);
    const cached = await this.reuse(request, paths, expected);
    if (cached) return cached;

    // Whatever is there did not verify for this request: it must not outlive a failed fetch.
    await this.discard(paths);
    await this.removeStaleStaging(paths);
    const staging = await this.createStaging(paths);
    try {
      const shape = await fetchModelSource(source, staging, { logger: this.logger, idleTimeoutMs: this.idleTimeoutMs, policy: this.policy, onProgress: request.onProgress });
      const actual = await checksumOf(staging, shape);
      if (expected !== undefined && actual !== expected) throw new ChecksumMismatchError(subject, expected, actual);
      await this.discard(paths);
      await rename(staging, paths.versionDir);
      const files = await listFiles(paths.versionDir);
      await this.writeMarker(paths, { model_id: request.modelId, version: request.version, source_url: request.sourceUrl, shape, checksum: actual, files, verified_at: new Date().toISOString() });
      this.logger.log(`model files for ${subject} ready in ${paths.versionDir} (${files.length} files, ${actual})`);
      return { dir: paths.versionDir, files };
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      await this.pruneEmptyParents(paths.versionDir);
      if (error instanceof DomainError) throw error;
      throw new ModelSourceError(`materializing ${subject} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  private async reuse(request: MaterializeRequest, paths: VersionPaths, expected: string | undefined): Promise<MaterializedModel | undefined> {
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

  private async createStaging(paths: VersionPaths): Promise<string> {
    const staging = join(paths.modelRoot, `${paths.stagingPrefix}${randomBytes(6).toString('hex')}`);
    // Retried once: removing another version may prune the model folder between mkdir calls.
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(paths.modelRoot, { recursive: true });
        await mkdir(staging);
        return staging;
      } catch (error) {
        if (attempt > 0 || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }

  private async writeMarker(paths: VersionPaths, marker: CacheMarker): Promise<void> {
    const temporary = `${paths.markerFile}.tmp`;
    await writeFile(temporary, `${JSON.stringify(marker, null, 2)}\n`);
    await rename(temporary, paths.markerFile);
  }

  /** Marker first: a version folder without its marker is never trusted. */
  private async discard(paths: VersionPaths): Promise<void> {
    await rm(paths.markerFile, { force: true });
    await rm(paths.versionDir, { recursive: true, force: true });
  }

  /** Staging folders left by a crashed process (this process dedupes its own calls). */
  private async removeStaleStaging(paths: VersionPaths): Promise<void> {
    const entries = await readdir(paths.modelRoot).catch(() => [] as string[]);
    await Promise.all(
      entries
        .filter((name) => name.startsWith(paths.stagingPrefix) || name === `${basename(paths.markerFile)}.tmp`)
        .map((name) => rm(join(paths.modelRoot, name), { recursive: true, force: true })),
    );
  }

  /** Removes now-empty `<name>` and `<owner>` folders so a failed fetch leaves no trace. */
  private async pruneEmptyParents(path: string): Promise<void> {
    let dir = dirname(path);
    while (dir.startsWith(this.modelDir) && dir.length > this.modelDir.length) {
      try {
        await rmdir(dir);
      } catch {
        return;
      }
      dir = dirname(dir);
    }
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

async function readMarker(path: string): Promise<CacheMarker | undefined> {
  try {
    const marker = JSON.parse(await readFile(path, 'utf8')) as Partial<CacheMarker>;
    const valid = typeof marker.checksum === 'string' && (marker.shape === 'file' || marker.shape === 'folder');
    return valid ? (marker as CacheMarker) : undefined;
  } catch {
    return undefined;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isDirectory(), () => false);
}
