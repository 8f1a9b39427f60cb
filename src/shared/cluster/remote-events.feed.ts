import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { StoredEvent } from '../event-store/stored-event.js';
import { DEDICATED_CONNECTIONS, INSTANCE_ID } from './cluster.tokens.js';
import type { DedicatedConnectionFactory } from './dedicated-connection.js';
import { INSTANCE_STREAM_KINDS } from './instance-id.js';
import { StoreTail, type TailBatchEvent } from './store-tail.js';

/** True when another instance appended the event (the store stamps `metadata.instance_id`). */
function appendedElsewhere(stored: StoredEvent, instanceId: string): boolean {
  return stored.metadata.instance_id !== instanceId;
}

/**
 * Another machine's own streams (its lifecycle manager, its queue) are its business: a
 * handler here must not reload, fail or count what happened there. Shared streams (the
 * catalog) are everyone's.
 */
function concernsEveryInstance(stored: StoredEvent): boolean {
  return !(INSTANCE_STREAM_KINDS as readonly string[]).includes(stored.event.aggregate_type);
}

/**
 * Publishes on this process's EventBus, in store order and once, each event ANOTHER instance
 * appended to a shared stream since start-up (ours were published after their commit). A
 * consumer of the StoreTail; on embedded PGlite there is no other instance to hear.
 */
@Injectable()
export class RemoteEventsFeed implements OnModuleInit, OnModuleDestroy {
  private unsubscribe?: () => void;
  private count = 0;

  constructor(
    private readonly tail: StoreTail,
    private readonly eventBus: EventBus,
    @Inject(INSTANCE_ID) private readonly instanceId: string,
    @Inject(DEDICATED_CONNECTIONS) private readonly connect: DedicatedConnectionFactory | null,
  ) {}

  /** Events of other instances published here so far. */
  get published(): number {
    return this.count;
  }

  /** Before the tail starts reading (at bootstrap): from its first batch on. */
  onModuleInit(): void {
    if (!this.connect) return;
    // Not eager: the tail reads after other instances' commits (their notifications) anyway.
    this.unsubscribe = this.tail.subscribe((batch) => this.publish(batch), { eager: false });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private publish(batch: readonly TailBatchEvent[]): void {
    const remote = batch.filter((e) => appendedElsewhere(e.stored, this.instanceId) && concernsEveryInstance(e.stored)).map((e) => e.stored.event);
    if (remote.length === 0) return;
    this.count += remote.length;
    this.eventBus.publishAll(remote);
  }
}
