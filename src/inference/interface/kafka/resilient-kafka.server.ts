import { Logger } from '@nestjs/common';
import { ServerKafka, type KafkaOptions as NestKafkaOptions } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import { KafkaTopics } from '../../../shared/kafka/kafka-topics.js';

/** Nest's Kafka server, except that a broker down at start-up (or a consumer that dies later) is retried in the background: Kafka down = degraded, not dead. */
export class ResilientKafkaServer extends ServerKafka {
  private readonly log = new Logger('KafkaCommands');
  private closing = false;
  private connecting?: Promise<void>;
  private wake?: () => void;

  constructor(
    options: Required<NestKafkaOptions>['options'],
    private readonly topic: string,
    private readonly maxBackoffMs = 5000,
  ) {
    super(options);
  }

  override async listen(callback: (err?: unknown, ...optionalParams: unknown[]) => void): Promise<void> {
    callback();
    if (this.connecting && !this.closing) return; // started twice: one consumer is enough
    this.closing = false;
    this.connecting = this.connectWithRetry();
  }

  override async close(): Promise<void> {
    this.closing = true;
    this.wake?.();
    await this.connecting;
    await super.close();
  }

  private async connectWithRetry(): Promise<void> {
    let backoff = 250;
    let failures = 0;
    while (!this.closing) {
      try {
        this.client = await this.createClient();
        await this.ensureTopic(this.client as Kafka);
        await this.start(() => undefined);
        this.watchForFatalCrash();
        this.log.log({ msg: `consuming ${this.topic}`, ...(failures > 0 ? { after_attempts: failures + 1 } : {}) });
        return;
      } catch (err) {
        failures += 1;
        if (failures === 1) this.log.warn({ msg: `cannot consume ${this.topic} yet (${(err as Error).message}); retrying in the background` });
        await super.close().catch(() => undefined);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoff);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
  }

  /** Subscribing to a missing topic fails (or relies on broker auto-creation, usually off in production). */
  private async ensureTopic(client: Kafka): Promise<void> {
    const admin = client.admin();
    try {
      await admin.connect();
      await new KafkaTopics(admin).ensure([this.topic]);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** kafkajs restarts a consumer after retriable crashes by itself; after the others it stays dead. */
  private watchForFatalCrash(): void {
    const consumer = this.consumer!;
    consumer.on(consumer.events.CRASH, (event) => {
      if (this.closing || event.payload.restart) return;
      this.log.error({ msg: `consumer of ${this.topic} crashed (${event.payload.error.message}); reconnecting` });
      void (async () => {
        await super.close().catch(() => undefined);
        if (!this.closing) this.connecting = this.connectWithRetry();
      })();
    });
  }
}
