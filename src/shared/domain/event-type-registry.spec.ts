import { describe, expect, it } from '@jest/globals';
import { DomainEvent } from './event-envelope.js';
import { EventTypeRegistry, UnknownEventTypeError } from './event-type-registry.js';

class ModelRegisteredV1 extends DomainEvent<{ model_id: string; task_type: string }> {
  static readonly eventType = 'model.registered';
  static readonly schemaVersion = 1;
}

class ModelRegisteredV3 extends DomainEvent<{ model_id: string; task_type: string; version: string; owner: string }> {
  static readonly eventType = 'model.registered';
  static readonly schemaVersion = 3;
}

const v1Envelope = {
  event_id: '66000000-e29b-41d4-a716-446655440018',
  event_type: 'model.registered',
  aggregate_id: '770e8400-e29b-41d4-a716-446655440003',
  aggregate_type: 'model_catalog',
  payload: { model_id: 'sentence-transformers/all-MiniLM-L6-v2', task_type: 'txt2embed' },
  timestamp: '2025-12-04T10:30:00.000Z',
  version: 1,
};

describe('EventTypeRegistry', () => {
  it('revives a stored envelope as its class, keyed by the dotted event_type', () => {
    const event = new EventTypeRegistry().register(ModelRegisteredV1).revive(v1Envelope);
    expect(event).toBeInstanceOf(ModelRegisteredV1);
    expect(event.toEnvelope()).toEqual(v1Envelope);
  });

  it('upcasts an old shape step by step to the current schema version', () => {
    const registry = new EventTypeRegistry().register(ModelRegisteredV3).addUpcaster(
      { eventType: 'model.registered', fromVersion: 1, upcast: (p) => ({ ...p, version: 'main' }) },
      { eventType: 'model.registered', fromVersion: 2, upcast: (p) => ({ ...p, owner: String(p.model_id).split('/')[0] }) },
    );
    const event = registry.revive(v1Envelope);
    expect(event).toBeInstanceOf(ModelRegisteredV3);
    expect(event.version).toBe(3);
    expect(event.payload).toEqual({ model_id: 'sentence-transformers/all-MiniLM-L6-v2', task_type: 'txt2embed', version: 'main', owner: 'sentence-transformers' });
  });

  it('refuses an unknown type, a missing upcaster and two classes for one type', () => {
    expect(() => new EventTypeRegistry().revive(v1Envelope)).toThrow(UnknownEventTypeError);
    expect(() => new EventTypeRegistry().register(ModelRegisteredV3).revive(v1Envelope)).toThrow(/no upcaster/);
    expect(() => new EventTypeRegistry().register(ModelRegisteredV1, ModelRegisteredV3)).toThrow(/registered twice/);
  });
});
