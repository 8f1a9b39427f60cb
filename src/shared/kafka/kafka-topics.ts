import type { Admin } from 'kafkajs';

export interface TopicDefaults {
  /** -1 = the broker's `num.partitions`. */
  numPartitions?: number;
  /** -1 = the broker's `default.replication.factor`. */
  replicationFactor?: number;
}

/**
 * Creates topics before the first write to them, so the relay works on brokers with
 * `auto.create.topics.enable=false` (the usual production setting). Known topics are
 * cached: after warm-up a batch costs no admin round trip.
 */
export class KafkaTopics {
  private readonly known = new Set<string>();
  private listed = false;

  constructor(
    private readonly admin: Admin,
    private readonly defaults: TopicDefaults = {},
  ) {}

  async ensure(topics: Iterable<string>): Promise<void> {
    let missing = [...new Set(topics)].filter((t) => !this.known.has(t));
    if (missing.length === 0) return;
    if (!this.listed) {
      for (const t of await this.admin.listTopics()) this.known.add(t);
      this.listed = true;
      missing = missing.filter((t) => !this.known.has(t));
      if (missing.length === 0) return;
    }
    // Returns false (no error) when another writer created them first.
    await this.admin.createTopics({
      topics: missing.map((topic) => ({
        topic,
        numPartitions: this.defaults.numPartitions ?? -1,
        replicationFactor: this.defaults.replicationFactor ?? -1,
      })),
    });
    await waitForTopicLeaders(this.admin, missing);
    for (const t of missing) this.known.add(t);
  }

  /** After a broker outage the cache may be stale (topics deleted meanwhile): re-list next time. */
  forget(): void {
    this.known.clear();
    this.listed = false;
  }
}

/** What a broker answers for a topic it has created and not yet published everywhere. */
const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Waits until every partition of `topics` has a leader. kafkajs's own wait (`waitForLeaders`)
 * retries LEADER_NOT_AVAILABLE only, but a KRaft broker answers UNKNOWN_TOPIC_OR_PARTITION for a
 * moment after it created a topic.
 */
export async function waitForTopicLeaders(admin: Pick<Admin, 'fetchTopicMetadata'>, topics: readonly string[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      if (!NOT_YET.has((err as { type?: string }).type ?? '') || Date.now() >= deadline) throw err;
    }
    if (Date.now() >= deadline) throw new Error(`Kafka: no leader for every partition of ${topics.join(', ')} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
