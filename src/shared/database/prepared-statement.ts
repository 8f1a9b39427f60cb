import { createHash } from 'node:crypto';

/**
 * A fixed statement the hot path runs again and again: each connection parses it once and soon
 * keeps a generic plan (planning the append's version check cost more than running it).
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

/** Named after its text, so the same text is one statement wherever it is declared. */
export function prepared(text: string): PreparedStatement {
  return Object.freeze({ name: `mm_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`, text });
}

const connectionTags = new WeakMap<object, string>();
let connectionsSeen = 0;

/**
 * The statement's name on one connection. `pg` remembers per connection what it prepared, but
 * the embedded server (pglite-socket) gives every connection the same PostgreSQL session: a
 * connection that replaced a closed one would prepare a name the session still holds
 * ("already exists"). A name of its own per connection cannot collide with any other's.
 */
export function statementNameOn(connection: object, statement: PreparedStatement): string {
  let tag = connectionTags.get(connection);
  if (tag === undefined) connectionTags.set(connection, (tag = (++connectionsSeen).toString(36)));
  return `${statement.name}_${tag}`;
}
