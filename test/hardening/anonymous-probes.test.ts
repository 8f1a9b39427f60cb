import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { dropDatabase, postgresAvailable } from '../support/databases.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';

// The probes are open to anyone, so what they say while the database is away must be the
// state alone: the driver's message names hosts, ports and users. Needs DATABASE_URL (the
// proxy fronts a real PostgreSQL, as in database-outage.test.ts).
const describeWithPostgres = postgresAvailable() ? describe : describe.skip;

const TOKEN = 'probe-token';
const DRIVER_WORDS = /ECONN|127\.0\.0\.1|5432|terminated|timeout|connect|postgres/i;

describeWithPostgres('open probes while the database is away (PostgreSQL behind a TCP proxy)', () => {
  let storage: TestStorage;
  let proxy: TcpProxy;
  let app: INestApplication;
  let base: string;
  const get = async (path: string, token?: string) => {
    const res = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(20_000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    storage = await testStorage('postgres');
    const server = new URL(storage.options.databaseUrl!);
    proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
    app = await startTestApp(storage, { apiToken: TOKEN, databaseUrl: proxy.wrapUrl(storage.options.databaseUrl!), databaseTimeouts: { connectMs: 2_000, statementMs: 3_000 } });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    await storage?.cleanup();
  });

  it('/v2/health/ready and /health/ready answer 503 without the driver message to a caller without the token', async () => {
    proxy.cut('reset');
    try {
      const oip = await get('/v2/health/ready');
      expect(oip).toEqual({ status: 503, body: { ready: false, error: 'database unavailable' } });
      const rest = await get('/health/ready');
      expect(rest).toEqual({ status: 503, body: { status: 'unavailable' } });
      for (const answer of [oip, rest]) expect(JSON.stringify(answer.body)).not.toMatch(DRIVER_WORDS);
      // The token holder still learns why, where the details are documented.
      expect(((await get('/health/ready', TOKEN)).body.components as Record<string, { status: string }>).database!.status).toBe('down');
    } finally {
      proxy.restore();
    }
  }, 60_000);

  it('says nothing of a database that is gone either (an error the outage check does not classify)', async () => {
    // Last: the server's database is dropped under it, so the driver answers 3D000 "database … does not exist".
    await dropDatabase(process.env.DATABASE_URL!, new URL(storage.options.databaseUrl!).pathname.slice(1));
    const oip = await get('/v2/health/ready');
    expect(oip).toEqual({ status: 503, body: { ready: false, error: 'database unavailable' } });
    expect(await get('/health/ready')).toEqual({ status: 503, body: { status: 'unavailable' } });
  }, 60_000);
});
