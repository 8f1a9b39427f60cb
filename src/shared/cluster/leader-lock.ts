import { Logger, type LoggerService } from '@nestjs/common';
import type pg from 'pg';
import { Signal } from '../kafka/signal.js';
import { connectionEnded, type DedicatedConnectionFactory } from './dedicated-connection.js';
import { advisoryKey } from './instance-id.js';

export interface LeaderLockOptions {
  /** Dedicated sessions on PostgreSQL; undefined on PGlite (one process: always the leader). */
  connect?: DedicatedConnectionFactory;
  /** Shown in pg_stat_activity.application_name, to tell the candidates apart. */
  instanceId?: string;
  /** How often a follower tries the lock. */
  retryMs?: number;
  /** How often the leader checks its session is alive. */
  checkMs?: number;
  logger?: LoggerService;
}

/**
 * "At most one of us does X": a named session advisory lock on a dedicated connection,
 * tried every `retryMs` by each candidate. The holder is the leader until its session ends
 * (process death, network, `stop()`), then another candidate takes it at its next try.
 */
export class LeaderLock {
  private readonly log: LoggerService;
  private readonly key: string;
  private readonly acquired = new Set<() => void>();
  private readonly lost = new Set<(reason: Error) => void>();
  private readonly stopped = new Signal();
  private loop?: Promise<void>;
  private stopping = false;
  private leader = false;
  private client?: pg.Client;
  private ended?: Promise<Error>;

  constructor(
    readonly name: string,
    private readonly options: LeaderLockOptions = {},
  ) {
    this.log = options.logger ?? new Logger('LeaderLock');
    this.key = advisoryKey('leader', name, options.connect?.schema ?? ''); // no session, no lock (see run)
  }

  get isLeader(): boolean {
    return this.leader;
  }

  onAcquired(listener: () => void): () => void {
    this.acquired.add(listener);
    return () => this.acquired.delete(listener);
  }

  onLost(listener: (reason: Error) => void): () => void {
    this.lost.add(listener);
    return () => this.lost.delete(listener);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.fire();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined); // ends the session: the lock is free for the next candidate
    await this.loop;
    this.setLeader(false, new Error('stopped'));
  }

  private async run(): Promise<void> {
    if (!this.options.connect) {
      this.setLeader(true);
      return;
    }
    const retryMs = this.options.retryMs ?? 1_000;
    while (!this.stopping) {
      try {
        if (!this.client) {
          this.client = await this.options.connect(`modelmora-leader:${this.name}:${this.options.instanceId ?? ''}`);
          this.ended = connectionEnded(this.client);
        }
        const [client, ended] = [this.client, this.ended!];
        const [{ locked }] = (await client.query(`SELECT pg_try_advisory_lock($1::bigint) AS locked`, [this.key])).rows;
        if (locked) {
          this.setLeader(true);
          const reason = await this.holdUntilLost(client, ended);
          this.client = undefined;
          this.setLeader(false, reason);
          if (this.stopping) break; // stop() ended the session: no step-back to sit out
          // A leader that lost its session steps back for a while, so a standby that was
          // waiting takes over rather than racing it (the loss fired the signal: clear it).
          await this.stopped.wait(0);
          await this.stopped.wait(3 * retryMs);
          continue;
        }
      } catch (err) {
        if (this.stopping) break;
        this.log.warn(`leader lock "${this.name}": ${err instanceof Error ? err.message : err}; retrying`);
        await this.client?.end().catch(() => undefined);
        this.client = undefined;
      }
      await this.stopped.wait(retryMs);
    }
  }

  /** Checks the session now and then; resolves with why leadership ended. */
  private async holdUntilLost(client: pg.Client, ended: Promise<Error>): Promise<Error> {
    const checkMs = this.options.checkMs ?? 5_000;
    let over: Error | undefined;
    void ended.then((reason) => {
      over ??= reason;
      this.stopped.fire();
    });
    while (!over && !this.stopping) {
      await this.stopped.wait(checkMs);
      if (over || this.stopping) break;
      try {
        await client.query('SELECT 1');
      } catch (err) {
        over = err instanceof Error ? err : new Error(String(err));
        await client.end().catch(() => undefined);
      }
    }
    return over ?? new Error('stopped');
  }

  private setLeader(leader: boolean, reason?: Error): void {
    if (this.leader === leader) return;
    this.leader = leader;
    if (leader) {
      this.log.log({ msg: `leader of "${this.name}"`, instance_id: this.options.instanceId });
      for (const l of this.acquired) l();
    } else {
      this.log.warn(`no longer leader of "${this.name}" (${reason?.message ?? 'unknown'})`);
      for (const l of this.lost) l(reason ?? new Error('lost'));
    }
  }
}
