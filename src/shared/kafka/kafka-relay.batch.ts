import type { TopicMessages } from 'kafkajs';
import { cursorOf, type StoreCursor, type StoredEvent } from '../event-store/stored-event.js';
import { approximateSize, toRelayMessage, type RelayMessage } from './event-message.mapper.js';

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

export function toRelayBatch(events: readonly StoredEvent[], topicPrefix: string, maxRequestBytes: number): RelayBatch {
  const messages = events.map((e) => toRelayMessage(e, topicPrefix));
  let sent = 0;
  const requests = splitBySize(messages, maxRequestBytes).map((request) => {
    sent += request.length;
    return { topicMessages: byTopic(request), last: cursorOf(events[sent - 1]!), count: request.length };
  });
  return { topics: [...new Set(messages.map((m) => m.topic))], requests, last: cursorOf(events[events.length - 1]!) };
}

/** Consecutive runs of messages whose total size stays under `maxBytes` (at least one each). */
function splitBySize(messages: RelayMessage[], maxBytes: number): RelayMessage[][] {
  const out: RelayMessage[][] = [];
  let current: RelayMessage[] = [];
  let size = 0;
  for (const m of messages) {
    const s = approximateSize(m);
    if (current.length > 0 && size + s > maxBytes) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += s;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Groups by topic keeping position order inside each topic (a Map keeps first-seen topic order). */
function byTopic(messages: RelayMessage[]): TopicMessages[] {
  const topics = new Map<string, TopicMessages>();
  for (const m of messages) {
    let entry = topics.get(m.topic);
    if (!entry) topics.set(m.topic, (entry = { topic: m.topic, messages: [] }));
    entry.messages.push(m.message);
  }
  return [...topics.values()];
}

