import { Partitioners, type Admin, type Kafka, type Producer, type TopicMessages } from 'kafkajs';
import { KafkaTopics, type TopicDefaults } from './kafka-topics.js';

/** What the relay needs from a broker; a port so its loop can be tested with a fake. */
export interface RelayBroker {
  connect(): Promise<void>;
  ensureTopics(topics: Iterable<string>): Promise<void>;
  /** Resolves only once every message is acknowledged by all in-sync replicas. */
  sendBatch(topicMessages: TopicMessages[]): Promise<void>;
  /** Throws unless the cluster answers a metadata request now. */
  probe(timeoutMs: number): Promise<void>;
  /** Called after a failed publish: drop whatever state might be poisoned. */
  reset(err: unknown): Promise<void>;
  disconnect(): Promise<void>;
}

/** Errors after which this producer's idempotence state (id, sequences) cannot recover. */
const PRODUCER_STATE_ERRORS = ['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING'];

/** kafkajs directly: `ClientKafka` sends to one topic per call, with no cross-topic `sendBatch`, no per-batch ack for the checkpoint and no admin client. */
export class KafkajsRelayBroker implements RelayBroker {
  private producer: Producer;
  private readonly admin: Admin;
  private readonly topics: KafkaTopics;
  private connecting?: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    topicDefaults: TopicDefaults = {},
  ) {
    this.producer = this.newProducer();
    this.admin = kafka.admin();
    this.topics = new KafkaTopics(this.admin, topicDefaults);
  }

  /** Shared by the relay loop and readiness probes; a failed attempt is forgotten so the next call retries. */
  connect(): Promise<void> {
    this.connecting ??= (async () => {
      await this.admin.connect();
      await this.producer.connect();
    })().catch((err) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }

  ensureTopics(topics: Iterable<string>): Promise<void> {
    return this.topics.ensure(topics);
  }

  async sendBatch(topicMessages: TopicMessages[]): Promise<void> {
    // acks -1 = all in-sync replicas; kafkajs rejects anything else for an idempotent producer.
    await this.producer.sendBatch({ topicMessages, acks: -1 });
  }

  async probe(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the broker within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.connect().then(() => this.admin.describeCluster()), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async reset(err: unknown): Promise<void> {
    this.topics.forget();
    if (!PRODUCER_STATE_ERRORS.some((type) => errorMentions(err, type))) return;
    // A fresh producer id: the broker lost (or fenced) our sequence state. Messages the
    // old producer wrote may be written again — duplicates, never losses.
    await this.producer.disconnect().catch(() => undefined);
    this.producer = this.newProducer();
    this.connecting = undefined;
  }

  async disconnect(): Promise<void> {
    this.connecting = undefined;
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  private newProducer(): Producer {
    // maxInFlightRequests 1 + idempotence: a retried request can neither duplicate nor
    // overtake the one before it, so per-partition order is the send order.
    return this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  }
}

function errorMentions(err: unknown, type: string): boolean {
  for (let e: any = err, depth = 0; e && depth < 5; e = e.cause ?? e.originalError, depth++) {
    if (e.type === type || String(e.message ?? '').includes(type)) return true;
    if (Array.isArray(e.errors) && e.errors.some((x: unknown) => errorMentions(x, type))) return true;
  }
  return false;
}
