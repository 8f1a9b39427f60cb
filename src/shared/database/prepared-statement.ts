import { createHash } from 'node:crypto';

/**
 * A statement the hot path runs again and again with one text and fresh parameters. Each
 * pooled connection has PostgreSQL parse it once (a named prepared statement) and, after a
 * few runs, keep a generic plan: later runs only bind and execute. For the append, planning
 * the version check cost more than running it.
 *
 * Only for fixed texts: a connection keeps every statement it prepared until it closes.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

/** Named after its text, so the same text is one statement wherever it is declared. */
export function prepared(text: string): PreparedStatement {
  return Object.freeze({ name: `mm_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`, text });
}
