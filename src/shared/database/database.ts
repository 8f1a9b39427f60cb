import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import type { DataSource, EntityManager, ObjectLiteral, EntityTarget, QueryRunner, Repository } from 'typeorm';
import { databaseOutage } from './database-unavailable.js';
import { statementNameOn, type PreparedStatement } from './prepared-statement.js';

/** A unit of work bound to one connection: every query of a transaction must go through it. */
export interface Tx {
  query<T = any>(sql: string | PreparedStatement, params?: unknown[]): Promise<T[]>;
  repository<E extends ObjectLiteral>(entity: EntityTarget<E>): Repository<E>;
  readonly manager: EntityManager;
}

const insideTransaction = new AsyncLocalStorage<true>();

/**
 * The one door to PostgreSQL. It refuses a pool query from inside an open transaction of the same
 * async flow: with one connection (PGlite, or a saturated pool) it would wait forever.
 */
export class Database {
  constructor(readonly dataSource: DataSource) {}

  /** The schema ModelMora's tables live in (the data source's `schema`, see openDatabase). */
  get schema(): string {
    return (this.dataSource.options as { schema?: string }).schema ?? 'public';
  }

  async query<T = any>(sql: string | PreparedStatement, params?: unknown[]): Promise<T[]> {
    this.assertNotInTransaction();
    if (typeof sql !== 'string') return this.runPreparedOnPool<T>(sql, params).catch(rethrowOutage);
    return this.dataSource.query(sql, params as any[]).catch(rethrowOutage);
  }

  repository<E extends ObjectLiteral>(entity: EntityTarget<E>): Repository<E> {
    this.assertNotInTransaction();
    return this.dataSource.getRepository(entity);
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    this.assertNotInTransaction();
    return this.dataSource
      .transaction((manager) =>
        insideTransaction.run(true, () =>
          work({
            manager,
            query: async (sql, params) =>
              typeof sql === 'string' ? manager.query(sql, params as any[]) : runPrepared(await connectionOf(manager.queryRunner!), sql, params),
            repository: (entity) => manager.getRepository(entity),
          }),
        ),
      )
      .catch(rethrowOutage);
  }

  /** TypeORM's pool of `pg` connections: prepared statements go to `pg` itself, which knows which connection prepared what. */
  private get pool(): pg.Pool {
    return (this.dataSource.driver as unknown as { master: pg.Pool }).master;
  }

  /**
   * Not `pool.query`: that closes the connection after ANY error, a refused append included, and
   * with it every statement it prepared (on the embedded server they even stay behind in its one
   * session). A connection the server answered is healthy; only a broken one is let go.
   */
  private async runPreparedOnPool<T>(statement: PreparedStatement, params?: unknown[]): Promise<T[]> {
    const client = await this.pool.connect();
    // A checked-out client has no pool listener: a socket reset would be an unhandled 'error'
    // event, which ends the process (pool.query listens for it too). The query rejects as well.
    let broken: Error | undefined;
    const onError = (err: Error) => (broken ??= err);
    client.on('error', onError);
    try {
      const rows = await runPrepared<T>(client, statement, params);
      client.off('error', onError);
      client.release(broken);
      return rows;
    } catch (err) {
      client.off('error', onError);
      client.release(broken ?? (err instanceof pg.DatabaseError ? undefined : (err as Error)));
      throw err;
    }
  }

  private assertNotInTransaction(): void {
    if (insideTransaction.getStore()) {
      throw new Error('query issued on the pool from inside an open transaction: use the transaction (tx) instead');
    }
  }
}

async function runPrepared<T>(on: pg.PoolClient, statement: PreparedStatement, params: unknown[] = []): Promise<T[]> {
  const result = await on.query({ name: statementNameOn(on, statement), text: statement.text, values: params });
  return result.rows as T[];
}

/** The transaction's own connection (TypeORM's query runner holds it from BEGIN to COMMIT). */
async function connectionOf(runner: QueryRunner): Promise<pg.PoolClient> {
  return (await runner.connect()) as pg.PoolClient;
}

/** An outage (down, unreachable, timed out) becomes SERVICE_UNAVAILABLE; every other error passes unchanged. */
function rethrowOutage(err: unknown): never {
  throw databaseOutage(err) ?? err;
}
