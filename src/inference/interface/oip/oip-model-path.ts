import { OipError } from './oip-error.js';

/**
 * Our ids are `owner/name`. An OIP model name may be: the id with its slash URL-encoded
 * (`onnx%2Fmatmul`), the id with a raw slash as tritonclient's `quote()` sends it
 * (`onnx/matmul`), or the alias `onnx~matmul`. `~` never occurs in an id (segments are
 * `[A-Za-z0-9._-]`) and no client percent-encodes it, so the alias cannot be ambiguous;
 * `--` or `__` can (`a--b--c` could be `a/b--c` or `a--b/c`).
 */
const ALIAS_SEPARATOR = '~';

export type OipModelAction = 'metadata' | 'ready' | 'infer';

export interface OipModelPath {
  modelId: string;
  version?: string;
  action: OipModelAction;
}

/** A NUL can name no model and PostgreSQL refuses it in a query: a 400 here, not a 500 there. */
function decode(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new OipError(400, `malformed URL segment '${segment}'`);
  }
  if (decoded.includes('\0')) throw new OipError(400, `URL segment '${segment}' holds a NUL character (%00): no model or version has one`);
  return decoded;
}

/** Reads `<name>[/versions/<v>][/ready|/infer]`: the URL's part after `/v2/models/`, still encoded. */
export function parseModelPath(rawTail: string): OipModelPath {
  const segments = rawTail.split('/').filter((s) => s.length > 0).map(decode);
  if (segments.length === 0) throw new OipError(404, 'no model name in the URL');
  // One segment when it already holds the whole id (encoded slash or alias), else owner + name.
  const first = segments[0]!;
  const whole = first.includes('/') || first.includes(ALIAS_SEPARATOR) || segments.length === 1;
  const modelId = whole ? first.split(ALIAS_SEPARATOR).join('/') : `${first}/${segments[1]}`;
  const rest = segments.slice(whole ? 1 : 2);
  let version: string | undefined;
  if (rest[0] === 'versions') {
    if (rest.length < 2) throw new OipError(404, `no version after 'versions' in the URL for model '${modelId}'`);
    version = rest[1];
    rest.splice(0, 2);
  }
  if (rest.length === 0) return { modelId, version, action: 'metadata' };
  if (rest.length === 1 && (rest[0] === 'ready' || rest[0] === 'infer')) return { modelId, version, action: rest[0] };
  throw new OipError(404, `unknown OIP route for model '${modelId}': .../${rest.join('/')}`);
}

/** The part of a request URL after `/v2/models/` (query string dropped), still percent-encoded. */
export function modelPathOf(originalUrl: string): string {
  const path = originalUrl.split('?')[0]!;
  const at = path.indexOf('/v2/models/');
  if (at < 0) throw new OipError(404, 'not an OIP model URL');
  return path.slice(at + '/v2/models/'.length);
}
