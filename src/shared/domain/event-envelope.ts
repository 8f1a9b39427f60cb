/** JSON-safe payload of a domain event. */
export type EventPayload = Record<string, unknown>;

/** The seed's event envelope: exactly these seven snake_case fields, on the wire and in the store. */
export interface EventEnvelope<P extends EventPayload = EventPayload> {
  readonly event_id: string;
  readonly event_type: string;
  readonly aggregate_id: string;
  readonly aggregate_type: string;
  readonly payload: P;
  /** ISO-8601 UTC. */
  readonly timestamp: string;
  /** Schema version of this event type (what upcasters key on), not the stream position. */
  readonly version: number;
}

/** What a concrete event class declares about itself; identity is the dotted type, never the class name. */
export interface EventClass<E extends DomainEvent = DomainEvent> {
  new (envelope: EventEnvelope<E['payload']>): E;
  readonly eventType: string;
  readonly schemaVersion: number;
}

/**
 * Base of every domain event. An instance IS its envelope, so `JSON.stringify(event)`
 * yields the seed shape and nothing else.
 */
export abstract class DomainEvent<P extends EventPayload = EventPayload> implements EventEnvelope<P> {
  readonly event_id: string;
  readonly event_type: string;
  readonly aggregate_id: string;
  readonly aggregate_type: string;
  readonly payload: P;
  readonly timestamp: string;
  readonly version: number;

  constructor(envelope: EventEnvelope<P>) {
    this.event_id = envelope.event_id;
    this.event_type = envelope.event_type;
    this.aggregate_id = envelope.aggregate_id;
    this.aggregate_type = envelope.aggregate_type;
    this.payload = envelope.payload;
    this.timestamp = envelope.timestamp;
    this.version = envelope.version;
  }

  toEnvelope(): EventEnvelope<P> {
    return {
      event_id: this.event_id,
      event_type: this.event_type,
      aggregate_id: this.aggregate_id,
      aggregate_type: this.aggregate_type,
      payload: this.payload,
      timestamp: this.timestamp,
      version: this.version,
    };
  }
}

/** Time and identity come from outside the domain so decisions stay deterministic. */
export interface EventContext {
  readonly now: Date;
  readonly newId: () => string;
}

/** Builds an event of class `cls` for an aggregate; the one place envelopes are made. */
export function createEvent<E extends DomainEvent>(
  cls: EventClass<E>,
  aggregate: { id: string; type: string },
  payload: E['payload'],
  ctx: EventContext,
): E {
  return new cls({
    event_id: ctx.newId(),
    event_type: cls.eventType,
    aggregate_id: aggregate.id,
    aggregate_type: aggregate.type,
    payload,
    timestamp: ctx.now.toISOString(),
    version: cls.schemaVersion,
  });
}
