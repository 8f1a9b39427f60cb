import type { IncomingMessage } from 'node:http';
import { DomainError } from '../../domain/domain-error.js';

/**
 * Refuses with 415 a body whose media type is not one the route parses. `text/plain` and the
 * form types are what a web page may send cross-site without a preflight, so refusing them
 * closes that door; a body with no Content-Type stays allowed where the protocol needs it.
 */
export function assertContentType(req: IncomingMessage, accepted: readonly string[], allowMissing: boolean): void {
  const raw = req.headers['content-type'];
  const type = (raw ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === '' && allowMissing) return;
  if (accepted.includes(type)) return;
  throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${type ? JSON.stringify(type) : '(none)'} is not accepted here; send ${accepted.join(' or ')}`);
}
