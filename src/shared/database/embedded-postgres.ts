import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * PostgreSQL in-process (PGlite, PostgreSQL compiled to WASM) behind its socket server,
 * so the very same `pg`/TypeORM driver and migrations run on it as on a real server.
 *
 * PGlite executes one transaction at a time: the socket server queues the rest. The
 * data source therefore uses ONE pooled connection against it (see data-source.ts),
 * which makes "a query on another connection waits on an open transaction" impossible.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    mkdirSync(dataDir, { recursive: true });
    const db = await PGlite.create({
      dataDir,
      // Small buffers keep the WASM heap (and so the process RSS) down; the embedded
      // server is for one node and modest data.
      postgresqlconf: ['shared_buffers=16MB', 'work_mem=4MB', 'maintenance_work_mem=16MB', 'wal_buffers=1MB'],
    });
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
    await server.start();
    const [host, port] = server.getServerConn().split(':');
    return new EmbeddedPostgres(db, server, host!, Number(port));
  }

  get url(): string {
    return `postgres://postgres@${this.host}:${this.port}/postgres`;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}
