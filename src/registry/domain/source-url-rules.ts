import { ValidationError } from '../../shared/domain/domain-error.js';
import { isUnderRoots, SourceNotAllowedError, sourceLocation } from '../../shared/domain/model-source-rules.js';

/** Query parameters that carry secrets in signed or tokenised URLs (S3, GCS, Azure SAS, generic tokens). */
const SECRET_PARAM = /^(x-amz-(signature|credential|security-token)|x-goog-(signature|credential)|sig|signature|token|access_token|api_key|apikey|key|password|secret|auth|credential)$/i;

/**
 * A source_url is stored in `model.registered` / `model.version.added` and shown by the API
 * for good, so it must not carry credentials: `user:password@` or secret query parameters
 * are refused (without echoing them) rather than written into the event log.
 */
export function assertSourceUrlHasNoCredentials(sourceUrl: string | null | undefined): void {
  if (sourceUrl == null) return;
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/.exec(sourceUrl.trim());
  if (!match) return; // an absolute path: nothing to hide
  if (match[2]!.includes('@')) {
    throw new ValidationError('source_url must not contain credentials (user:password@host): they would be stored in the event log and shown by the API; serve the model from an address that needs none, or copy it under MODELMORA_SOURCE_ROOTS', { field: 'source_url' });
  }
  let params: URLSearchParams;
  try {
    params = new URL(sourceUrl.trim()).searchParams;
  } catch {
    return; // not a URL the fetcher will accept either: the load says so
  }
  const secret = [...params.keys()].find((k) => SECRET_PARAM.test(k));
  if (secret) {
    throw new ValidationError(`source_url must not carry credentials (query parameter "${secret}"): they would be stored in the event log and shown by the API`, { field: 'source_url' });
  }
}

/**
 * A source the server will never be allowed to load is refused now, not at the first load:
 * a local one must lie under the allowed roots as written (the load resolves symlinks and
 * checks again), and the scheme must be one a fetcher has.
 */
export function assertSourceAllowed(sourceUrl: string | null | undefined, roots: readonly string[]): void {
  if (sourceUrl == null) return;
  const location = sourceLocation(sourceUrl);
  if (location.kind === 'local' && !isUnderRoots(location.path, roots)) throw SourceNotAllowedError.local(location.path);
}
