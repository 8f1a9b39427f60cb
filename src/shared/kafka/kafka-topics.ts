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
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: this.defaults.numPartitions ?? -1,
        replicationFactor: this.defaults.replicationFactor ?? -1,
      })),
    });
    for (const t of missing) this.known.add(t);
  }

  /** After a broker outage the cache may be stale (topics deleted meanwhile): re-list next time. */
  forget(): void {
    this.known.clear();
    this.listed = false;
  }
}
