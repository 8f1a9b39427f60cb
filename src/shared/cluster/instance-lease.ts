import { Logger, type LoggerService } from '@nestjs/common';
import type pg from 'pg';
import type { Database } from '../database/database.js';
import { connectionEnded, type DedicatedConnectionFactory } from './dedicated-connection.js';
import { advisoryKey } from './instance-id.js';
import { instanceRows, type LeaseQuery, type OrphanInstance } from './instance-rows.js';

/** Another live process holds this instance id: two processes must never own one queue. */
export class InstanceIdInUseError extends Error {
  constructor(instanceId: string) {
    super(
      `instance id "${instanceId}" is held by another live ModelMora process (or by a survivor taking over its work): ` +
        'give every running instance its own MODELMORA_INSTANCE_ID, or wait until the other one has stopped',
    );
    this.name = 'InstanceIdInUseError';
  }
}

export interface InstanceLeaseOptions {
  instanceId: string;
  /** The pool: the `instances` table, and the whole lease on embedded PGlite. */
  db: Database;
  /** Dedicated sessions on PostgreSQL; undefined on PGlite (one process: the lease is trivially held). */
  connect?: DedicatedConnectionFactory;
  heartbeatMs?: number;
  /** A heartbeat older than this (and a free lock) makes an instance an orphan. */
  staleAfterMs?: number;
  logger?: LoggerService;
}

/** A dead instance's lease, held by a survivor while it takes the instance's work over. */
export interface InstanceClaim {
  instanceId: string;
  /** Bumped by the claim: fences any late write of the old owner that carries the old epoch. */
  epoch: number;
  /** Lets the lock go; the instance stays listed (another claim may follow). */
  release(): Promise<void>;
  /** Its work is all moved: forget the instance, then let the lock go. */
  retire(): Promise<void>;
}

/**
 * An instance owns its streams while it holds an advisory lock on a dedicated connection
 * and a fresh heartbeat row; losing either ends the lease (docs/scale-out.md).
 */
export class InstanceLease {
  private readonly log: LoggerService;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;
  private readonly lostListeners = new Set<(reason: Error) => void>();
  private client?: pg.Client;
  private timer?: NodeJS.Timeout;
  private state: 'idle' | 'held' | 'lost' | 'released' = 'idle';
  private currentEpoch = 0;

  /** On the lease's own session when there is one (its writes then need the lock alive), else the pool. */
  private readonly query: LeaseQuery = async <T>(sql: string, params: unknown[]): Promise<T[]> => {
    if (this.client) return (await this.client.query(sql, params)).rows as T[];
    return this.options.db.query<T>(sql, params);
  };

  constructor(private readonly options: InstanceLeaseOptions) {
    this.log = options.logger ?? new Logger('InstanceLease');
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
    this.staleAfterMs = options.staleAfterMs ?? 3 * this.heartbeatMs;
  }

  get instanceId(): string {
    return this.options.instanceId;
  }

  get held(): boolean {
    return this.state === 'held';
  }

  /** Incremented at every acquisition and claim of this instance id: the fencing token. */
  get epoch(): number {
    return this.currentEpoch;
  }

  onLost(listener: (reason: Error) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Takes the lease, or throws InstanceIdInUseError if a live process holds it. */
  async acquire(): Promise<{ epoch: number }> {
    if (this.state === 'held') return { epoch: this.currentEpoch };
    const key = advisoryKey('instance', this.instanceId, this.options.db.schema);
    if (this.options.connect) {
      const client = await this.options.connect(`modelmora-lease:${this.instanceId}`);
      const [{ locked }] = (await client.query(`SELECT pg_try_advisory_lock($1::bigint) AS locked`, [key])).rows;
      if (!locked) {
        await client.end().catch(() => undefined);
        throw new InstanceIdInUseError(this.instanceId);
      }
      this.client = client;
      void connectionEnded(client).then((reason) => this.lose(reason));
    }
    this.currentEpoch = await instanceRows.register(this.query, this.instanceId, key);
    this.state = 'held';
    if (this.client) this.timer = setInterval(() => void this.heartbeat(), this.heartbeatMs).unref();
    this.log.log({ msg: 'instance lease acquired', instance_id: this.instanceId, epoch: this.currentEpoch });
    return { epoch: this.currentEpoch };
  }

  /** Instances whose heartbeat is stale (or that released their lease) and whose lock nobody holds. */
  findOrphans(): Promise<OrphanInstance[]> {
    return instanceRows.orphans(this.options.db, this.instanceId, this.staleAfterMs);
  }

  /**
   * Takes a dead instance's lock on this lease's session, so its owner cannot come back
   * while its work moves here. Undefined if someone holds it (the owner lives, or another
   * survivor got there first) or it is not stale any more.
   */
  async tryClaim(instanceId: string): Promise<InstanceClaim | undefined> {
    if (!this.held) throw new Error('tryClaim: this instance does not hold its own lease');
    if (instanceId === this.instanceId) throw new Error('tryClaim: an instance cannot claim itself');
    const key = advisoryKey('instance', instanceId, this.options.db.schema);
    if (this.client) {
      const [{ locked }] = (await this.client.query(`SELECT pg_try_advisory_lock($1::bigint) AS locked`, [key])).rows;
      if (!locked) return undefined;
    }
    const unlock = async () => {
      if (this.client && this.held) await this.client.query(`SELECT pg_advisory_unlock($1::bigint)`, [key]);
    };
    const epoch = await instanceRows.claim(this.query, instanceId, this.staleAfterMs);
    if (epoch === undefined) {
      await unlock();
      return undefined;
    }
    this.log.log({ msg: 'claimed a dead instance', instance_id: this.instanceId, claimed: instanceId, epoch });
    return {
      instanceId,
      epoch,
      release: unlock,
      retire: async () => {
        await instanceRows.forget(this.query, instanceId);
        await unlock();
      },
    };
  }

  /** Clean stop: marks the row released (survivors need not wait for staleness) and closes the session. */
  async release(): Promise<void> {
    const held = this.state === 'held';
    this.state = 'released'; // also stops a pending re-acquisition
    clearInterval(this.timer);
    if (!held) return;
    await instanceRows.markReleased(this.query, this.instanceId).catch(() => undefined);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  private async heartbeat(): Promise<void> {
    try {
      await instanceRows.heartbeat(this.query, this.instanceId);
    } catch (err) {
      // Cannot prove we are alive: give the lock up for sure (end the session) rather than hold it blind.
      this.lose(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private lose(reason: Error): void {
    if (this.state !== 'held') return;
    this.state = 'lost';
    clearInterval(this.timer);
    this.client?.end().catch(() => undefined);
    this.client = undefined;
    this.log.error(`instance lease of "${this.instanceId}" lost (${reason.message}): its streams must not be written any more`);
    for (const listener of this.lostListeners) listener(reason);
    this.reacquireLater();
  }

  /**
   * A lost lease is taken again once the database answers and nobody claimed the instance
   * meanwhile. If a survivor took its work over, the streams' versions moved on: the
   * instance's next append conflicts, and that conflict (not this lease) fences it.
   */
  private reacquireLater(): void {
    const retry = setTimeout(() => {
      if (this.state !== 'lost') return;
      this.acquire().then(
        () => this.log.log({ msg: 'instance lease taken again', instance_id: this.instanceId, epoch: this.currentEpoch }),
        () => this.reacquireLater(),
      );
    }, this.heartbeatMs);
    retry.unref();
  }
}
