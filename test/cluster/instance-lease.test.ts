import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { connectionFactory } from '../../src/shared/cluster/dedicated-connection.js';
import { InstanceIdInUseError, InstanceLease } from '../../src/shared/cluster/instance-lease.js';
import { LeaderLock } from '../../src/shared/cluster/leader-lock.js';
import { eventually } from '../support/eventually.js';
import { openTestDatabase, type TestDatabase, postgresAvailable } from '../support/databases.js';

const quiet = { log() {}, warn() {}, error() {}, debug() {}, verbose() {} };

/** Ends the server session of a dedicated connection, as a crash or a network cut would. */
async function killSession(url: string, applicationName: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rowCount } = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`, [applicationName]);
    expect(rowCount).toBe(1);
  } finally {
    await admin.end();
  }
}

(postgresAvailable() ? describe : describe.skip)('instance lease and leader lock on PostgreSQL', () => {
  let t: TestDatabase;
  const leases: InstanceLease[] = [];
  const lease = (instanceId: string) => {
    const l = new InstanceLease({ instanceId, db: t.db, connect: connectionFactory(t.url!, t.schema), heartbeatMs: 100, staleAfterMs: 400, logger: quiet });
    leases.push(l);
    return l;
  };

  beforeAll(async () => {
    t = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    await Promise.all(leases.map((l) => l.release()));
    await t?.close();
  });

  it('refuses a second live process with the same instance id, naming MODELMORA_INSTANCE_ID', async () => {
    const first = await lease('node-a').acquire();
    expect(first.epoch).toBe(1);
    const second = lease('node-a').acquire();
    await expect(second).rejects.toBeInstanceOf(InstanceIdInUseError);
    await expect(second).rejects.toThrow(/MODELMORA_INSTANCE_ID/);
  });

  it('a survivor finds an instance whose session died, claims it with a new epoch, and holds it while it takes over', async () => {
    const dead = lease('node-dead');
    const survivor = lease('node-survivor');
    await dead.acquire();
    await survivor.acquire();
    const lost: Error[] = [];
    dead.onLost((reason) => lost.push(reason));
    expect(await survivor.findOrphans()).toEqual([]); // alive: heartbeat fresh, lock held

    await killSession(t.url!, 'modelmora-lease:node-dead');
    await eventually(() => lost.length === 1, 'the dead instance to notice it lost its lease');
    expect(dead.held).toBe(false);
    await dead.release(); // the process is gone too: a live one would take its lease again
    const [orphan] = await eventually(async () => {
      const found = await survivor.findOrphans();
      return found.some((o) => o.instanceId === 'node-dead') && found.filter((o) => o.instanceId === 'node-dead');
    }, 'the dead instance to show up as an orphan once its heartbeat is stale');
    expect(orphan!.epoch).toBe(1);

    const claim = await survivor.tryClaim('node-dead');
    expect(claim).toMatchObject({ instanceId: 'node-dead', epoch: 2 });
    expect(await lease('node-survivor-2').acquire().then((l) => l.epoch)).toBe(1);
    expect(await leases.at(-1)!.tryClaim('node-dead')).toBeUndefined(); // a second survivor cannot claim it too
    await expect(lease('node-dead').acquire()).rejects.toBeInstanceOf(InstanceIdInUseError); // nor can the owner come back mid-takeover

    await claim!.release();
    const back = lease('node-dead');
    expect((await back.acquire()).epoch).toBe(3);
    expect(await survivor.findOrphans()).toEqual([]);
  });

  it('a clean release makes the instance claimable at once; retire() forgets it', async () => {
    const leaving = lease('node-leaving');
    const survivor = lease('node-staying');
    await leaving.acquire();
    await survivor.acquire();
    await leaving.release();
    expect((await survivor.findOrphans()).map((o) => o.instanceId)).toContain('node-leaving');
    const claim = await survivor.tryClaim('node-leaving');
    await claim!.retire();
    expect((await survivor.findOrphans()).map((o) => o.instanceId)).not.toContain('node-leaving');
  });

  it('one leader at a time; when its session dies another candidate takes over', async () => {
    const events: string[] = [];
    const make = (id: string) => {
      const lock = new LeaderLock('test-leader', { connect: connectionFactory(t.url!, t.schema), instanceId: id, retryMs: 50, checkMs: 100, logger: quiet });
      lock.onAcquired(() => events.push(`${id} leads`));
      lock.onLost(() => events.push(`${id} lost`));
      lock.start();
      return lock;
    };
    const a = make('a');
    await eventually(() => a.isLeader, 'a to lead');
    const b = make('b');
    try {
      await eventually(() => events.length >= 1, 'a to lead');
      expect(b.isLeader).toBe(false);
      await killSession(t.url!, 'modelmora-leader:test-leader:a');
      void a.stop(); // a's process is gone too: a live one would compete for the lead again
      await eventually(() => b.isLeader, 'b to take over');
      // The server frees the lock when it ends the session; the old holder may hear of it a moment later.
      await eventually(() => events.includes('a lost'), 'a to learn it lost the lead');
      expect([...events].sort()).toEqual(['a leads', 'a lost', 'b leads']);
      expect(a.isLeader).toBe(false);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('instance lease on embedded PGlite', () => {
  it('is trivially held by the one process, and still records the instance', async () => {
    const t = await openTestDatabase('pglite');
    try {
      const l = new InstanceLease({ instanceId: 'solo', db: t.db, logger: quiet });
      expect((await l.acquire()).epoch).toBe(1);
      expect(l.held).toBe(true);
      const [row] = await t.db.query(`SELECT instance_id, epoch FROM instances`);
      expect(row).toMatchObject({ instance_id: 'solo' });
      const leader = new LeaderLock('relay', { logger: quiet });
      leader.start();
      await eventually(() => leader.isLeader, 'the only process to lead');
      await leader.stop();
      await l.release();
    } finally {
      await t.close();
    }
  }, 3 * 60_000); // PGlite's first start is slow on a loaded machine
});
