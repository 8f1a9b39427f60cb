import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { dedicatedConnections } from '../../src/shared/cluster/dedicated-connection.js';
import { InstanceLease } from '../../src/shared/cluster/instance-lease.js';
import { openDatabase, type OpenedDatabase } from '../../src/shared/database/data-source.js';
import { Database } from '../../src/shared/database/database.js';
import { modelMoraTables } from '../../src/modelmora.features.js';
import { storeNotifyChannel } from '../../src/shared/event-store/append-statement.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { eventually } from '../support/eventually.js';
import { databaseBackends, MODELMORA_TABLES, schemaClient, testStorage, type TestStorage } from '../support/databases.js';
import { testRegistry, things } from '../support/test-events.js';

const A = 'a5a5a5a5-0000-4000-8000-000000000001';
const quiet = { log() {}, warn() {}, error() {}, debug() {}, verbose() {} };

async function tables(db: Database, schema: string): Promise<string[]> {
  const rows = await db.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename`, [schema]);
  return rows.map((r) => r.tablename);
}

describe.each(databaseBackends())('ModelMora\'s tables in a schema of their own (%s)', (backend) => {
  let storage: TestStorage;
  const open = (schema?: string) => openDatabase({ url: storage.options.databaseUrl, dataDir: storage.options.dataDir, schema, ...modelMoraTables });

  beforeEach(async () => {
    storage = await testStorage(backend);
  });
  afterEach(() => storage?.cleanup());

  it('moves the tables of an older version from public into the schema, rows and identity included', async () => {
    const old = await open('public'); // an older ModelMora: everything in public
    const before = await new PostgresEventStore(new Database(old.dataSource), testRegistry()).append({ aggregateId: A, aggregateType: 'test_thing', expectedVersion: 0, events: things(A, 2) });
    await old.close();

    const now = await open();
    try {
      const db = new Database(now.dataSource);
      expect(await tables(db, 'public')).toEqual([]);
      expect(await tables(db, 'modelmora')).toEqual(MODELMORA_TABLES);
      const ran = await db.query<{ name: string }>(`SELECT name FROM modelmora.modelmora_migrations ORDER BY id`);
      expect(ran.map((m) => m.name)).toEqual(['EventStore1764000000000', 'RegistryReadModel1764000000100', 'InferenceReadModel1764000000300', 'Cluster1764000000500']);
      const store = new PostgresEventStore(db, testRegistry());
      expect((await store.load(A)).events.map((e) => e.position)).toEqual(before.map((e) => e.position));
      const [next] = await store.append({ aggregateId: A, aggregateType: 'test_thing', expectedVersion: 2, events: things(A, 1, 2) });
      expect(next!.position).toBeGreaterThan(before[1]!.position);
    } finally {
      await now.close();
    }
  });

  it('leaves an older version\'s tables in public when given another schema: they may still be serving', async () => {
    let old = await open('public');
    await new PostgresEventStore(new Database(old.dataSource), testRegistry()).append({ aggregateId: A, aggregateType: 'test_thing', expectedVersion: 0, events: things(A, 2) });
    // One process at a time owns an embedded data folder: there the older version has stopped first.
    const reopenOld = backend === 'pglite';
    if (reopenOld) await old.close();
    try {
      const tenant = await open('tenant_b');
      try {
        const db = new Database(tenant.dataSource);
        expect(await tables(db, 'tenant_b')).toEqual(MODELMORA_TABLES);
        expect(await tables(db, 'public')).toEqual(MODELMORA_TABLES);
        expect((await new PostgresEventStore(db, testRegistry()).load(A)).events).toEqual([]);
      } finally {
        await tenant.close();
      }
      if (reopenOld) old = await open('public');
      expect((await new PostgresEventStore(new Database(old.dataSource), testRegistry()).load(A)).events).toHaveLength(2);
    } finally {
      await old.close();
    }
  });

  it('moves only the tables its recorded migrations made: a host table of the same name stays in public', async () => {
    // A first-round database (no cluster migration yet) whose host has since made its own `instances`.
    const old = await open('public');
    await old.dataSource.undoLastMigration({ transaction: 'each' });
    await old.dataSource.query(`CREATE TABLE public.instances (id int PRIMARY KEY, rack text)`);
    await old.close();

    const now = await open();
    try {
      const db = new Database(now.dataSource);
      expect(await tables(db, 'public')).toEqual(['instances']);
      const hostColumns = await db.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'instances' ORDER BY ordinal_position`);
      expect(hostColumns.map((c: { column_name: string }) => c.column_name)).toEqual(['id', 'rack']);
      expect(await tables(db, 'modelmora')).toEqual(MODELMORA_TABLES); // the cluster migration made ours in the schema
    } finally {
      await now.close();
    }
  });

  it('refuses a schema name that is not a plain identifier before it touches the database', async () => {
    await expect(open('x"; DROP TABLE event_store; --')).rejects.toThrow(/database schema must be a plain identifier/);
  });

  if (backend === 'postgres') {
    it('two deployments in two schemas of one database: neither hears the other\'s appends nor shares its locks', async () => {
      const opened: OpenedDatabase[] = [await open(), await open('tenant_b')];
      const [a, b] = opened as [OpenedDatabase, OpenedDatabase];
      const listener = await schemaClient(storage.options.databaseUrl!, 'modelmora');
      const leases: InstanceLease[] = [];
      try {
        const heard: string[] = [];
        listener.on('notification', (n) => heard.push(n.channel));
        await listener.query(`LISTEN "${storeNotifyChannel('modelmora')}"; LISTEN "${storeNotifyChannel('tenant_b')}"`);
        await new PostgresEventStore(new Database(b.dataSource), testRegistry()).append({ aggregateId: A, aggregateType: 'test_thing', expectedVersion: 0, events: things(A, 1) });
        await eventually(() => heard.length > 0, 'the append to notify');
        expect(heard).toEqual(['modelmora_events_tenant_b']);

        for (const o of [a, b]) leases.push(new InstanceLease({ instanceId: 'same-id', db: new Database(o.dataSource), connect: dedicatedConnections(o), logger: quiet }));
        await Promise.all(leases.map((l) => l.acquire())); // one lock key per schema: no InstanceIdInUseError
        expect(leases.every((l) => l.held)).toBe(true);
      } finally {
        await Promise.all(leases.map((l) => l.release()));
        await listener.end();
        for (const o of opened) await o.close();
      }
    });
  }
});
