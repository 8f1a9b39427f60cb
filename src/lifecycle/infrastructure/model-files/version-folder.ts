import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { VersionPaths } from './model-cache-paths.js';
import type { SourceShape } from './model-source-fetcher.js';

/*
 * The states of one version's folder on disk: staging folders beside it, the completion
 * marker written last, and the cleanup of what a failed or crashed fetch left. Nothing
 * here decides what to fetch or whether to trust it: ModelFileCache does.
 */

/** `<version>.~cache.json`: what was verified, written after the checksum matched. */
export interface CacheMarker {
  model_id: string;
  version: string;
  source_url: string;
  shape: SourceShape;
  checksum: string;
  files: string[];
  verified_at: string;
}

export async function readMarker(path: string): Promise<CacheMarker | undefined> {
  try {
    const marker = JSON.parse(await readFile(path, 'utf8')) as Partial<CacheMarker>;
    const valid = typeof marker.checksum === 'string' && (marker.shape === 'file' || marker.shape === 'folder');
    return valid ? (marker as CacheMarker) : undefined;
  } catch {
    return undefined;
  }
}

export async function writeMarker(paths: VersionPaths, marker: CacheMarker): Promise<void> {
  const temporary = `${paths.markerFile}.tmp`;
  await writeFile(temporary, `${JSON.stringify(marker, null, 2)}\n`);
  await rename(temporary, paths.markerFile);
}

export async function createStaging(paths: VersionPaths): Promise<string> {
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

/** Marker first: a version folder without its marker is never trusted. */
export async function discard(paths: VersionPaths): Promise<void> {
  await rm(paths.markerFile, { force: true });
  await rm(paths.versionDir, { recursive: true, force: true });
}

/** The verified staging folder becomes the version folder (the marker is written after, by the caller). */
export async function promoteStaging(paths: VersionPaths, staging: string): Promise<void> {
  await discard(paths);
  await rename(staging, paths.versionDir);
}

/** A failed fetch leaves no trace: its staging folder and any parents it emptied go. */
export async function abandonStaging(modelDir: string, paths: VersionPaths, staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true });
  await pruneEmptyParents(modelDir, paths.versionDir);
}

/** Staging folders left by a crashed process (this process dedupes its own calls). */
export async function removeStaleStaging(paths: VersionPaths): Promise<void> {
  const entries = await readdir(paths.modelRoot).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((name) => name.startsWith(paths.stagingPrefix) || name === `${basename(paths.markerFile)}.tmp`)
      .map((name) => rm(join(paths.modelRoot, name), { recursive: true, force: true })),
  );
}

/** Removes now-empty `<name>` and `<owner>` folders so a failed fetch leaves no trace. */
export async function pruneEmptyParents(modelDir: string, path: string): Promise<void> {
  let dir = dirname(path);
  while (dir.startsWith(modelDir) && dir.length > modelDir.length) {
    try {
      await rmdir(dir);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}

export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isDirectory(), () => false);
}
