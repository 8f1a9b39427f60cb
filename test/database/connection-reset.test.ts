import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type OpenedDatabase } from '../../src/shared/database/data-source.js';
import { Database } from '../../src/shared/database/database.js';
import { prepared } from '../../src/shared/database/prepared-statement.js';
import { postgresAvailable } from '../support/databases.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { eventually } from '../support/eventually.js';

const SLOW = prepared('SELECT pg_sleep(5) AS slept');
const ONE = prepared('SELECT 1 AS one');

// A prepared statement runs on a checked-out connection, where pg-pool listens for nothing: a
// socket reset mid-query must reject that query, not end the process with an unhandled 'error'.
async function admin(sql: string, params: unknown[] = []): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

(postgresAvailable() ? describe : describe.skip)('a connection reset under a prepared statement (postgres)', () => {
  const schema = `reset_${process.pid}`;
  let proxy: TcpProxy;
  let opened: OpenedDatabase;

  beforeAll(async () => {
    const url = new URL(process.env.DATABASE_URL!);
    proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
    opened = await openDatabase({ url: proxy.wrapUrl(url.toString()), schema, dataDir: mkdtempSync(join(tmpdir(), 'mm-reset-')), entities: [] });
  });
  afterAll(async () => {
    await opened?.close();
    await proxy?.close();
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it('given a statement running, when the connection resets, then that query fails and the next one runs', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const database = new Database(opened.dataSource);
      const slow = database.query(SLOW);
      slow.catch(() => undefined); // awaited below
      await eventually(async () => (await admin(`SELECT 1 FROM pg_stat_activity WHERE query = $1`, [SLOW.text])).length > 0, 'the statement running');
      proxy.cut('reset');
      await expect(slow).rejects.toBeDefined();
      proxy.restore();
      expect(await database.query(ONE)).toEqual([{ one: 1 }]);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
