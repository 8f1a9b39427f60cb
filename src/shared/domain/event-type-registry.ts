import { DomainError } from './domain-error.js';
import type { DomainEvent, EventClass, EventEnvelope, EventPayload } from './event-envelope.js';

/** Turns a payload of schema `fromVersion` into the shape of `fromVersion + 1`. */
export interface Upcaster {
  readonly eventType: string;
  readonly fromVersion: number;
  upcast(payload: EventPayload): EventPayload;
}

export class UnknownEventTypeError extends DomainError {
  constructor(eventType: string) {
    super('UNKNOWN_EVENT_TYPE', `no event class is registered for "${eventType}"`);
  }
}

/**
 * Maps the stable dotted `event_type` to its class and schema version, and upcasts
 * stored envelopes of older schema versions step by step to the current one.
 */
export class EventTypeRegistry {
  private readonly classes = new Map<string, EventClass>();
  private readonly upcasters = new Map<string, Upcaster>();

  register(...classes: EventClass<any>[]): this {
    for (const cls of classes) {
      const existing = this.classes.get(cls.eventType);
      if (existing && existing !== cls) {
        throw new Error(`event type "${cls.eventType}" registered twice (${existing.name}, ${cls.name})`);
      }
      this.classes.set(cls.eventType, cls);
    }
    return this;
  }

  addUpcaster(...upcasters: Upcaster[]): this {
    for (const u of upcasters) this.upcasters.set(`${u.eventType}@${u.fromVersion}`, u);
    return this;
  }

  has(eventType: string): boolean {
    return this.classes.has(eventType);
  }

  classOf(eventType: string): EventClass {
    const cls = this.classes.get(eventType);
    if (!cls) throw new UnknownEventTypeError(eventType);
    return cls;
  }

  /** Rebuilds the current event class instance from a stored (possibly older) envelope. */
  revive(envelope: EventEnvelope): DomainEvent {
    const cls = this.classOf(envelope.event_type);
    let { payload, version } = envelope;
    while (version < cls.schemaVersion) {
      const step = this.upcasters.get(`${envelope.event_type}@${version}`);
      if (!step) {
        throw new Error(`no upcaster for ${envelope.event_type} from schema version ${version} to ${cls.schemaVersion}`);
      }
      payload = step.upcast(payload);
      version += 1;
    }
    return new cls({ ...envelope, payload, version });
  }
}
