import type pg from 'pg';

/**
 * The embedded server (pglite-socket) serves every client connection from ONE PostgreSQL session,
 * so what a closed connection prepared stays in it. Named per connection (statementNameOn) those
 * leftovers cannot collide; they are dropped by the connection that replaces it, before its first use.
 */
export class EmbeddedSessionLeftovers {
  private left: string[] = [];

  /** The pool lets the connection go (released broken, or broke while idle): its statements stay. */
  retired(client: pg.PoolClient): void {
    const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements ?? {};
    this.left.push(...Object.keys(parsed));
  }

  /** Run by the next connection on connect. A name the session no longer has is fine. */
  async sweep(client: pg.PoolClient): Promise<void> {
    for (const name of this.left.splice(0)) await client.query(`DEALLOCATE "${name.replace(/"/g, '""')}"`).catch(() => undefined);
  }
}

/** pg-pool retires a connection after `release` with an error and after an `error` while idle (no idle timeout here). */
export function watchRetirements(pool: pg.Pool, leftovers: EmbeddedSessionLeftovers): void {
  pool.on('release', (err, client) => {
    if (err) leftovers.retired(client);
  });
  pool.on('error', (_err, client) => leftovers.retired(client));
}
