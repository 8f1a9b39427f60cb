import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import { DomainError } from '../../../shared/domain/domain-error.js';
import type { EventContext } from '../../../shared/domain/event-envelope.js';
import { AggregateRepository } from '../../../shared/event-sourcing/aggregate-repository.js';
import { PostgresEventStore } from '../../../shared/event-store/event-store.js';
import type { StreamAppend } from '../../../shared/event-store/stored-event.js';
import { EventBusPublisher } from '../../../shared/nest/event-bus.publisher.js';
import { EventContextFactory } from '../../../shared/nest/event-context.factory.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import type { Admission, JobRequest, QueueLimits, ServedModelFacts } from '../../domain/inference-queue.decide.js';
import { InferenceQueue } from '../inference-queue.aggregate.js';
import { GroupCommit } from './group-commit.js';
import { LiveQueue, type Decision, type JobPayloads } from '../ports/live-queue.port.js';

export type { Decision };

const unavailable = (why: string) => new DomainError('SERVICE_UNAVAILABLE', why);

/** The only writer of this instance's inference-queue stream: decisions apply in memory now and commit write-behind (docs/architecture.md). */
@Injectable()
export class QueueRecorder implements LiveQueue, OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('InferenceQueue');
  private queue!: InferenceQueue;
  private commits!: GroupCommit;
  private closed = false;
  private queueLimits?: QueueLimits;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly repository: AggregateRepository,
    private readonly publisher: EventBusPublisher,
    private readonly context: EventContextFactory,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    this.queue = await this.repository.load(new InferenceQueue(this.options.inferenceQueueId));
    const { store, publisher, context, logger } = this;
    this.commits = new GroupCommit({ store, publisher, context, logger, snapshotEvery: this.options.snapshotEvery, resultTtlMs: this.options.resultTtlMs }, this.queue);
  }

  get limits(): QueueLimits {
    const o = this.options;
    return (this.queueLimits ??= { maxQueueSize: o.maxQueueSize, maxQueuedPerModel: o.maxQueuedPerModel, defaultTimeoutMs: o.defaultTimeoutMs });
  }

  get queueId(): string {
    return this.options.inferenceQueueId;
  }

  /** Decides now; `payloads` are stored with the events, `also` are other streams' appends in the same commit (a takeover). */
  decide<T>(
    fn: (queue: InferenceQueue, ctx: EventContext) => T,
    payloads: JobPayloads | ((value: T) => JobPayloads) = {},
    also: StreamAppend[] | ((value: T) => StreamAppend[]) = [],
  ): Decision<T> {
    this.assertOpen();
    let value!: T;
    let failure: { err: unknown } | undefined;
    try {
      value = fn(this.queue, this.context.create());
    } catch (err) {
      failure = { err };
    }
    // Events applied before a throw are facts of the live state: they are recorded all the same.
    const events = [...this.queue.getUncommittedEvents()];
    this.queue.uncommit();
    const others = failure ? [] : typeof also === 'function' ? also(value) : also;
    const stored = typeof payloads !== 'function' ? payloads : failure ? {} : payloads(value);
    const recorded = events.length || others.length ? this.commits.add(events, stored, others) : Promise.resolve();
    if (failure) throw failure.err;
    return { value, events, recorded };
  }

  admit(request: JobRequest, model: ServedModelFacts, durable: boolean): Decision<Admission> {
    this.refuseNewWork(durable);
    const inputs = (a: Admission) => ('submitted' in a ? { inputs: new Map([[a.submitted.payload.job_id, request.inputs]]) } : {});
    return this.decide((queue, ctx) => queue.admit(request, model, this.limits, ctx), durable ? inputs : {});
  }

  refuseNewWork(durable: boolean): void {
    if (durable && (!this.reachable || !this.accepting)) throw unavailable('the database is unreachable: durable jobs cannot be acknowledged now; retry later');
    if (!this.accepting) throw unavailable('too many job records are waiting for the database; retry later');
  }

  /** Reads the live queue (no events). */
  read<T>(fn: (queue: InferenceQueue) => T): T {
    return fn(this.queue);
  }

  /** Whether new work may enter: not fenced, and the facts not yet recorded stay under their bound. */
  get accepting(): boolean {
    return !this.commits.fencedBy && !this.closed && this.commits.unrecordedEvents < this.options.maxUnrecordedEvents;
  }

  /** False while flushes fail for want of a database: durable (async) work is refused meanwhile. */
  get reachable(): boolean {
    return this.commits.reachable;
  }

  status() {
    const c = this.commits;
    return { reachable: c.reachable, fenced: c.fencedBy ?? null, unrecorded_events: c.unrecordedEvents, recorded_version: c.recordedStreamVersion };
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    // Record what was decided; a database that stays away gets a bounded wait, not a hang.
    await this.commits?.close(10_000); // undefined when start-up failed before the queue loaded
  }

  private assertOpen(): void {
    const fenced = this.commits.fencedBy;
    if (fenced) throw new DomainError('SERVICE_UNAVAILABLE', `this instance lost its inference queue (${fenced}); restart it`);
    if (this.closed) throw new DomainError('SERVICE_UNAVAILABLE', 'the inference queue is shutting down');
  }
}
