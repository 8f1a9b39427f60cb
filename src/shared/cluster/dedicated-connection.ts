import pg from 'pg';
import type { OpenedDatabase } from '../database/data-source.js';
import { searchPathStatement } from '../database/database-schema.js';

/**
 * Opens a connection OUTSIDE the pool, for what lives as long as a session: advisory
 * locks (a lease ends when its connection does) and LISTEN. Undefined on embedded PGlite,
 * where one process owns the database and leases are trivially held.
 */
export interface DedicatedConnectionFactory {
  (purpose: string): Promise<pg.Client>;
  /** The sessions' search_path; lock keys and notification channels are scoped by it too. */
  readonly schema: string;
}

export function dedicatedConnections(opened: OpenedDatabase): DedicatedConnectionFactory | undefined {
  if (opened.embedded) return undefined;
  const url = (opened.dataSource.options as { url?: string }).url;
  if (!url) throw new Error('cluster: the data source has no url to open dedicated connections with');
  return connectionFactory(url, opened.schema);
}

export function connectionFactory(url: string, schema: string): DedicatedConnectionFactory {
  const searchPath = searchPathStatement(schema);
  const connect = async (purpose: string) => {
    const client = new pg.Client({
      connectionString: url,
      application_name: purpose.slice(0, 63),
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
      query_timeout: 10_000,
      connectionTimeoutMillis: 10_000,
    });
    client.on('error', () => undefined); // owners watch 'end'; an unhandled 'error' would crash the process
    await client.connect();
    // The server drops a silent peer after ~15 s, so the locks of a vanished instance do not outlive it long.
    await client.query(`${searchPath}; SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 5`);
    return client;
  };
  return Object.assign(connect, { schema });
}

/** Resolves (never rejects) when the connection ends or fails, with the reason. */
export function connectionEnded(client: pg.Client): Promise<Error> {
  return new Promise((resolve) => {
    let reason: Error | undefined;
    client.on('error', (err) => {
      reason ??= err;
    });
    client.on('end', () => resolve(reason ?? new Error('connection closed')));
  });
}
