import type { IHeaders, Message } from 'kafkajs';
import { CORRELATION_FIELDS, type SerializedEvent } from '../event-store/serialized-event.js';

/** One stored event as a Kafka record, with the position it came from (the relay's checkpoint) and its rough wire size. */
export interface RelayMessage {
  readonly topic: string;
  readonly position: number;
  readonly size: number;
  readonly message: Message & { key: string; value: string; headers: IHeaders };
}

/** Seed §8: `{prefix}.{aggregate_type}.{event_type}`, e.g. `modelmora.model_catalog.model.registered`. */
export function topicFor(topicPrefix: string, event: { aggregateType: string; eventType: string }): string {
  return `${topicPrefix}.${event.aggregateType}.${event.eventType}`;
}

/** Per record: lengths and varints, plus the names of the three fixed headers. */
const RECORD_OVERHEAD = 64 + 3 * 8 + 'event_type'.length + 'event_id'.length + 'aggregate_version'.length;

/**
 * Key = aggregate id (one aggregate's events keep their order), value = the envelope's JSON as
 * the store serialised it; headers repeat what consumers route or dedupe on. `size` is rough,
 * to keep one produce request under the broker's `message.max.bytes`.
 */
export function toRelayMessage(e: SerializedEvent, topic: string): RelayMessage {
  const aggregateVersion = String(e.aggregateVersion);
  const headers: IHeaders = { event_type: e.eventType, event_id: e.eventId, aggregate_version: aggregateVersion };
  let size = RECORD_OVERHEAD + Buffer.byteLength(e.json) + Buffer.byteLength(e.aggregateId) + e.eventType.length + e.eventId.length + aggregateVersion.length;
  for (const name of CORRELATION_FIELDS) {
    const value = e.correlation[name];
    if (value !== undefined) {
      headers[name] = value;
      size += name.length + value.length + 8;
    }
  }
  return { topic, position: e.position, size, message: { key: e.aggregateId, value: e.json, headers } };
}
