import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import type { ModelMoraOptions } from '../config/modelmora-options.js';
import { Database } from '../database/database.js';
import { PostgresEventStore } from '../event-store/event-store.js';
import { OLDEST_UNSETTLED_WRITER } from '../event-store/settled-horizon.js';
import { MetricsSourceProvider, type MetricsSource } from '../health/metrics-source.js';
import { ReadinessProbe, type ReadinessCheck } from '../health/readiness-check.js';
import { MODELMORA_OPTIONS } from '../nest/tokens.js';
import { StoreTail } from './store-tail.js';

/** The open transaction that holds the readers back, as PostgreSQL names it. */
export interface UnsettledWriter {
  pid: number;
  database: string | null;
  age_seconds: number | null;
  transaction_id: string | null;
  state: string | null;
}

/**
 * Whether the event feed keeps up, on `/metrics`, `/health/ready` → `event_feed`, and in a
 * warning naming the backend of a ModelMora transaction open past `feedStallWarnMs`.
 */
@Injectable()
@ReadinessProbe()
@MetricsSourceProvider()
export class EventFeedHealth implements ReadinessCheck, MetricsSource, OnApplicationBootstrap, OnModuleDestroy {
  readonly name = 'event_feed';
  readonly registry = new Registry();
  private readonly logger = new Logger('EventFeed');
  private timer?: NodeJS.Timeout;
  private warned?: string;

  constructor(
    private readonly db: Database,
    private readonly store: PostgresEventStore,
    private readonly tail: StoreTail,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {
    const age: Gauge = new Gauge({
      name: 'modelmora_feed_oldest_unsettled_transaction_age_seconds',
      help: 'Age of the oldest open transaction that wrote ModelMora events: readers wait for it (0 when none)',
      registers: [this.registry],
      collect: async () => age.set((await this.oldestWriter().catch(() => undefined))?.age_seconds ?? 0),
    });
    const lag: Gauge<'subscription'> = new Gauge({
      name: 'modelmora_feed_subscription_lag_events',
      help: "Events stored but not yet read by this instance's store tail (head position minus its cursor's)",
      labelNames: ['subscription'] as const,
      registers: [this.registry],
      collect: async () => lag.set({ subscription: 'store-tail' }, (await this.tailLag().catch(() => undefined)) ?? 0),
    });
    const consumers: Gauge = new Gauge({
      name: 'modelmora_feed_live_consumers',
      help: 'Live consumers of the store tail: event-stream clients and the remote-events feed',
      registers: [this.registry],
      collect: () => consumers.set(this.tail.status().listeners),
    });
  }

  onApplicationBootstrap(): void {
    const every = Math.max(1_000, Math.min(this.options.feedStallWarnMs / 2, 10_000));
    this.timer = setInterval(() => void this.watch(), every);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async check() {
    const tail = this.tail.status();
    const [writer, lag] = await Promise.all([this.oldestWriter().catch(() => undefined), this.tailLag().catch(() => undefined)]);
    const stalled = writer?.age_seconds != null && writer.age_seconds * 1000 > this.options.feedStallWarnMs;
    return {
      status: tail.healthy && !stalled ? ('up' as const) : ('down' as const),
      oldest_unsettled_transaction: writer ?? null,
      stalled,
      tail: { state: tail.state, cursor: tail.cursor ?? null, lag_events: lag ?? null, consumers: tail.listeners, window: tail.window, ...(tail.lastError ? { error: tail.lastError } : {}) },
    };
  }

  /** The oldest open transaction holding ModelMora's append lock (not this session's). */
  async oldestWriter(): Promise<UnsettledWriter | undefined> {
    const [row] = await this.db.query<UnsettledWriter>(OLDEST_UNSETTLED_WRITER);
    return row ? { ...row, pid: Number(row.pid), age_seconds: row.age_seconds === null ? null : Number(row.age_seconds) } : undefined;
  }

  private async tailLag(): Promise<number> {
    const head = await this.store.headPosition();
    return Math.max(0, head - (this.tail.status().cursor?.position ?? head));
  }

  private async watch(): Promise<void> {
    const writer = await this.oldestWriter().catch(() => undefined);
    if (!writer || writer.age_seconds === null || writer.age_seconds * 1000 <= this.options.feedStallWarnMs) return;
    const key = `${writer.pid}:${writer.transaction_id}`;
    if (this.warned === key) return;
    this.warned = key;
    this.logger.warn({
      msg: `the event feed waits for an open transaction that wrote ModelMora events: backend pid ${writer.pid} in database ${writer.database}, open ${Math.round(writer.age_seconds)} s; its events and every later one reach readers only once it ends`,
      pid: writer.pid, database: writer.database, age_seconds: writer.age_seconds, transaction_id: writer.transaction_id, state: writer.state,
    });
  }
}
