import type { TopicMessages } from 'kafkajs';
import type { SerializedEvent } from '../event-store/serialized-event.js';
import type { StoreCursor } from '../event-store/stored-event.js';
import { toRelayMessage, topicFor } from './event-message.mapper.js';

/** One produce request, ready to send, and the cursor the checkpoint may move to once it is acknowledged. */
export interface RelayRequest {
  readonly topicMessages: TopicMessages[];
  readonly last: StoreCursor;
  readonly count: number;
}

/** A read batch mapped to Kafka records: its topics and its requests under the byte budget. */
export interface RelayBatch {
  readonly topics: string[];
  readonly requests: RelayRequest[];
  readonly last: StoreCursor;
}

/** Topic names by aggregate type and event type: a handful of distinct ones, built once instead of per event. */
export class TopicNames {
  private readonly names = new Map<string, Map<string, string>>();
  constructor(private readonly prefix: string) {}

  of(e: SerializedEvent): string {
    let byEvent = this.names.get(e.aggregateType);
    if (!byEvent) this.names.set(e.aggregateType, (byEvent = new Map()));
    let topic = byEvent.get(e.eventType);
    if (topic === undefined) byEvent.set(e.eventType, (topic = topicFor(this.prefix, e)));
    return topic;
  }
}

/**
 * One pass: each event becomes a record in its topic's list of the current request; a request
 * closes before the record that would take it past `maxRequestBytes` (it holds at least one).
 * Inside a topic, records keep the store's order.
 */
export function toRelayBatch(events: readonly SerializedEvent[], topics: TopicNames, maxRequestBytes: number): RelayBatch {
  const requests: RelayRequest[] = [];
  const seen = new Set<string>();
  let byTopic = new Map<string, TopicMessages>();
  let size = 0;
  let count = 0;
  const close = (last: SerializedEvent) => {
    requests.push({ topicMessages: [...byTopic.values()], last: cursor(last), count });
    byTopic = new Map();
    size = 0;
    count = 0;
  };
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const topic = topics.of(e);
    const m = toRelayMessage(e, topic);
    if (count > 0 && size + m.size > maxRequestBytes) close(events[i - 1]!);
    seen.add(topic);
    let entry = byTopic.get(topic);
    if (!entry) byTopic.set(topic, (entry = { topic, messages: [] }));
    entry.messages.push(m.message);
    size += m.size;
    count += 1;
  }
  const last = events[events.length - 1]!;
  if (count > 0) close(last);
  return { topics: [...seen], requests, last: cursor(last) };
}

function cursor(e: SerializedEvent): StoreCursor {
  return { transactionId: e.transactionId, position: e.position };
}
