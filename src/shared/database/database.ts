import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, ObjectLiteral, EntityTarget, Repository } from 'typeorm';
import { databaseOutage } from './database-unavailable.js';

/** A unit of work bound to one connection: every query of a transaction must go through it. */
export interface Tx {
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  repository<E extends ObjectLiteral>(entity: EntityTarget<E>): Repository<E>;
  readonly manager: EntityManager;
}

const insideTransaction = new AsyncLocalStorage<true>();

/**
 * The one door to PostgreSQL. It refuses a pool query issued from inside an open
 * transaction of the same async flow: with the embedded server's single connection
 * (or a saturated pool) that query would wait for a connection the transaction holds,
 * forever. Failing loudly turns a silent hang into a bug report.
 */
export class Database {
  constructor(readonly dataSource: DataSource) {}

  /** The schema ModelMora's tables live in (the data source's `schema`, see openDatabase). */
  get schema(): string {
    return (this.dataSource.options as { schema?: string }).schema ?? 'public';
  }

  async query<T = any>(sql: string, params?: unknown[]): Promise<T[]> {
    this.assertNotInTransaction();
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
            query: (sql, params) => manager.query(sql, params as any[]),
            repository: (entity) => manager.getRepository(entity),
          }),
        ),
      )
      .catch(rethrowOutage);
  }

  private assertNotInTransaction(): void {
    if (insideTransaction.getStore()) {
      throw new Error('query issued on the pool from inside an open transaction: use the transaction (tx) instead');
    }
  }
}

/** An outage (down, unreachable, timed out) becomes SERVICE_UNAVAILABLE; every other error passes unchanged. */
function rethrowOutage(err: unknown): never {
  throw databaseOutage(err) ?? err;
}
