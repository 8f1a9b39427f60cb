import { Partitioners, type Admin, type Kafka, type Producer } from 'kafkajs';
import { KafkaTopics } from '../../../shared/kafka/kafka-topics.js';
import type { DeadLetter, DeadLetterSink } from './command-message.processor.js';

/** Its own producer (not the Nest server's) so the DLQ write is acked by all replicas and the topic is created first. */
export class KafkaDeadLetterSink implements DeadLetterSink {
  private producer?: Producer;
  private admin?: Admin;
  private topics?: KafkaTopics;
  private connecting?: Promise<void>;

  constructor(private readonly kafka: Kafka) {}

  async send(topic: string, letter: DeadLetter): Promise<void> {
    await this.connect();
    await this.topics!.ensure([topic]);
    await this.producer!.send({ topic, acks: -1, messages: [{ key: letter.key, value: letter.value, headers: letter.headers }] });
  }

  async disconnect(): Promise<void> {
    const { producer, admin } = this;
    this.producer = this.admin = this.topics = this.connecting = undefined;
    await Promise.allSettled([producer?.disconnect(), admin?.disconnect()]);
  }

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      this.admin = this.kafka.admin();
      this.topics = new KafkaTopics(this.admin);
      await Promise.all([this.producer.connect(), this.admin.connect()]);
    })().catch(async (err) => {
      await this.disconnect(); // the next record tries again from scratch
      throw err;
    });
    return this.connecting;
  }
}
