import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError } from './domain-error.js';

/**
 * A model source the operator did not allow (outside MODELMORA_SOURCE_ROOTS, a refused
 * address, a scheme no fetcher has): the caller's mistake, 422. The registry refuses it at
 * registration and the lifecycle at load, so it lives in the kernel.
 */
export class SourceNotAllowedError extends DomainError {
  constructor(message: string) {
    super('SOURCE_NOT_ALLOWED', message, { field: 'source_url' });
  }

  /** One answer for "outside the roots" and "not there", so a caller cannot probe the server's files. */
  static local(shown: string): SourceNotAllowedError {
    return new SourceNotAllowedError(`model source ${shown} is not allowed or not found (local sources must lie under MODELMORA_SOURCE_ROOTS)`);
  }
}

export type SourceLocation = { kind: 'local'; path: string } | { kind: 'http'; url: URL };

/** Where a source_url points: an absolute path or `file://` URL, or an `http(s)://` URL; anything else is refused. */
export function sourceLocation(sourceUrl: string): SourceLocation {
  const trimmed = sourceUrl.trim();
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(trimmed) || /^[A-Za-z]:[\\/]/.test(trimmed)) {
    if (!isAbsolute(trimmed)) throw new SourceNotAllowedError(`source_url ${JSON.stringify(sourceUrl)} is neither a URL nor an absolute path`);
    return { kind: 'local', path: trimmed };
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new SourceNotAllowedError(`source_url ${JSON.stringify(sourceUrl)} is not a valid URL`);
  }
  if (url.protocol === 'file:') {
    try {
      return { kind: 'local', path: fileURLToPath(url) };
    } catch {
      throw new SourceNotAllowedError(`source_url ${JSON.stringify(sourceUrl)} is not a local file URL`);
    }
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return { kind: 'http', url };
  throw new SourceNotAllowedError(`unsupported source_url scheme ${url.protocol} (use file://, http:// or https://)`);
}

/** `path` is one of the absolute `roots` or lies below one (both taken as given: resolve symlinks first for the real answer). */
export function isUnderRoots(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => {
    const rel = relative(root, resolve(root, path));
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
  });
}
