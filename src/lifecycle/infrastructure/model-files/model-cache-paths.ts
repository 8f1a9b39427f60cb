import { join } from 'node:path';
import { InvalidModelPathError } from './model-file.errors.js';

const SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * Where one model version lives in the cache. Staging folders and the completion marker
 * sit beside the version folder and use `~`, which a valid version never contains, so
 * they can never collide with a real version.
 */
export interface VersionPaths {
  /** `modelDir/<owner>/<name>`. */
  modelRoot: string;
  /** `modelDir/<owner>/<name>/<version>`: what the worker loads. */
  versionDir: string;
  /** `<version>.~cache.json`: written last, after the checksum verified. */
  markerFile: string;
  /** Prefix of `<version>.~partial-<random>` staging folders. */
  stagingPrefix: string;
}

export function modelRootPath(modelDir: string, modelId: string): string {
  const segments = modelId.split('/');
  if (segments.length !== 2) {
    throw new InvalidModelPathError('model_id', modelId, 'expected owner/name');
  }
  for (const segment of segments) assertSafeSegment('model_id', modelId, segment);
  return join(modelDir, ...segments);
}

export function versionPaths(modelDir: string, modelId: string, version: string): VersionPaths {
  const modelRoot = modelRootPath(modelDir, modelId);
  assertSafeSegment('version', version, version);
  return {
    modelRoot,
    versionDir: join(modelRoot, version),
    markerFile: join(modelRoot, `${version}.~cache.json`),
    stagingPrefix: `${version}.~partial-`,
  };
}

function assertSafeSegment(field: 'model_id' | 'version', value: string, segment: string): void {
  if (!SEGMENT.test(segment) || segment === '.' || segment === '..') {
    throw new InvalidModelPathError(field, value, 'segments must match [A-Za-z0-9._-]+ and not be "." or ".."');
  }
}
