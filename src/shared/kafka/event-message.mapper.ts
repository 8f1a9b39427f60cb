import type { IHeaders, Message } from 'kafkajs';
import type { StoredEvent } from '../event-store/stored-event.js';

/** One stored event as a Kafka record, with the position it came from (the relay's checkpoint). */
export interface RelayMessage {
  readonly topic: string;
  readonly position: number;
  readonly message: Message & { key: string; value: string; headers: IHeaders };
}

/** Seed §8: `{prefix}.{aggregate_type}.{event_type}`, e.g. `modelmora.model_catalog.model.registered`. */
function topicFor(topicPrefix: string, event: { aggregate_type: string; event_type: string }): string {
  return `${topicPrefix}.${event.aggregate_type}.${event.event_type}`;
}

const CORRELATION_HEADERS = ['correlation_id', 'causation_id', 'trace_id'] as const;

/** Key = aggregate id (one aggregate's events keep their order), value = the envelope; headers repeat what consumers route or dedupe on. */
export function toRelayMessage(stored: StoredEvent, topicPrefix: string): RelayMessage {
  const { event, metadata } = stored;
  const headers: IHeaders = {
    event_type: event.event_type,
    event_id: event.event_id,
    aggregate_version: String(stored.aggregateVersion),
  };
  for (const name of CORRELATION_HEADERS) {
    const value = metadata[name];
    if (typeof value === 'string' && value !== '') headers[name] = value;
  }
  return {
    topic: topicFor(topicPrefix, event),
    position: stored.position,
    message: { key: event.aggregate_id, value: JSON.stringify(event.toEnvelope()), headers },
  };
}

/** Rough wire size, to keep one produce request under the broker's `message.max.bytes`. */
export function approximateSize(m: RelayMessage): number {
  let size = Buffer.byteLength(m.message.key) + Buffer.byteLength(m.message.value) + 64;
  for (const [k, v] of Object.entries(m.message.headers)) size += k.length + String(v).length + 8;
  return size;
}
