import { Logger, type LoggerService } from '@nestjs/common';
import type pg from 'pg';
import { storeNotifyChannel } from '../event-store/append-statement.js';
import { Signal } from '../kafka/signal.js';
import { connectionEnded, type DedicatedConnectionFactory } from './dedicated-connection.js';

/**
 * Something that says "the store may have new events": read now rather than at the next poll.
 * A listener learns which instance appended them when it is known (the notification's payload),
 * undefined after a reconnect, when anything may have been missed.
 */
export interface StoreWakeSource {
  subscribe(listener: StoreWakeListener): () => void;
}

export type StoreWakeListener = (appendedBy: string | undefined) => void;

/** One LISTEN session per process, fanned out to the catch-up readers; a reconnect wakes them all once (notifications are lost, events are not). */
export class StoreNotifications implements StoreWakeSource {
  private readonly log: LoggerService;
  private readonly listeners = new Set<StoreWakeListener>();
  private readonly stopped = new Signal();
  private loop?: Promise<void>;
  private stopping = false;
  private client?: pg.Client;

  constructor(private readonly options: { connect?: DedicatedConnectionFactory; instanceId?: string; reconnectMs?: number; logger?: LoggerService }) {
    this.log = options.logger ?? new Logger('StoreNotifications');
  }

  subscribe(listener: StoreWakeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once listening (or at once without a dedicated connection); keeps reconnecting after. */
  async start(): Promise<void> {
    if (!this.options.connect || this.loop) return;
    let listening!: () => void;
    const ready = new Promise<void>((r) => (listening = r));
    this.loop = this.run(listening);
    await Promise.race([ready, this.loop]);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.fire();
    await this.client?.end().catch(() => undefined);
    await this.loop;
  }

  private async run(listening: () => void): Promise<void> {
    const reconnectMs = this.options.reconnectMs ?? 1_000;
    let first = true;
    while (!this.stopping) {
      try {
        const client = await this.options.connect!(`modelmora-listen:${this.options.instanceId ?? ''}`);
        this.client = client;
        const ended = connectionEnded(client);
        client.on('notification', (message) => this.wake(message.payload));
        await client.query(`LISTEN "${storeNotifyChannel(this.options.connect!.schema)}"`);
        if (!first) this.wake(undefined);
        first = false;
        listening();
        const reason = await ended;
        if (!this.stopping) this.log.warn(`store notifications: connection lost (${reason.message}); reconnecting`);
      } catch (err) {
        if (!this.stopping) this.log.warn(`store notifications: ${err instanceof Error ? err.message : err}; retrying`);
        await this.client?.end().catch(() => undefined);
        listening(); // start-up does not wait for the database: the readers' poll covers the gap
      }
      this.client = undefined;
      if (!this.stopping) await this.stopped.wait(reconnectMs);
    }
  }

  private wake(appendedBy: string | undefined): void {
    for (const l of this.listeners) l(appendedBy);
  }
}
