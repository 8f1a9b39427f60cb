import { randomUUID } from 'node:crypto';
import type { AppModules } from './app-modules.js';

type StreamAppend = import('../../src/shared/event-store/stored-event.js').StreamAppend;
type DomainEvent = import('../../src/shared/domain/event-envelope.js').DomainEvent;

export const BENCH_EVENT_TYPE = 'bench.thing.happened';
export const BENCH_AGGREGATE_TYPE = 'bench_thing';

/**
 * A bench event class built on the COMPILED DomainEvent (the store and the relay come
 * from dist/, so their events should too). Payload about the size of job.submitted's.
 */
export function benchEventKit(app: AppModules) {
  class BenchThingHappened extends app.envelope.DomainEvent<{ job_id: string; model_id: string; priority: string; n: number }> {
    static readonly eventType = BENCH_EVENT_TYPE;
    static readonly schemaVersion = 1;
  }
  const registry = new app.registry.EventTypeRegistry().register(BenchThingHappened);
  let n = 0;
  const event = (aggregateId: string): DomainEvent =>
    app.envelope.createEvent(
      BenchThingHappened,
      { id: aggregateId, type: BENCH_AGGREGATE_TYPE },
      { job_id: randomUUID(), model_id: 'bench/tiny-matmul', priority: 'normal', n: n++ },
      { now: new Date(), newId: randomUUID },
    );
  return { BenchThingHappened, registry, event };
}

/**
 * Many streams written the way command handlers write them: each append states every
 * stream's expected version, and consecutive appends chain on each other.
 */
export class StreamSet {
  readonly ids: string[];
  private readonly versions: number[];

  constructor(
    private readonly event: (aggregateId: string) => DomainEvent,
    streams: number,
  ) {
    this.ids = Array.from({ length: streams }, () => randomUUID());
    this.versions = this.ids.map(() => 0);
  }

  /** One append's worth: `perStream` events on each of `streams` streams (starting at `from`). */
  next(perStream: number, streams = this.ids.length, from = 0): StreamAppend[] {
    const out: StreamAppend[] = [];
    for (let k = 0; k < streams; k++) {
      const s = (from + k) % this.ids.length;
      const id = this.ids[s]!;
      const events = Array.from({ length: perStream }, () => this.event(id));
      out.push({ aggregateId: id, aggregateType: BENCH_AGGREGATE_TYPE, expectedVersion: this.versions[s]!, events, metadata: { correlation_id: `bench-${s}` } });
      this.versions[s]! += perStream;
    }
    return out;
  }
}
