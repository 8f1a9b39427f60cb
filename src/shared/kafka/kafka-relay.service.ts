import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Subscription } from 'rxjs';
import type { KafkaOptions } from '../config/modelmora-options.js';
import { CheckpointStore } from '../event-store/checkpoint-store.js';
import { PostgresEventStore } from '../event-store/event-store.js';
import { ReadinessChecks } from '../interface/http/readiness-checks.js';
import { EventBusPublisher } from '../nest/event-bus.publisher.js';
import { createKafkaClient } from './kafka-client.factory.js';
import { kafkaReadinessCheck } from './kafka-readiness.js';
import { KafkajsRelayBroker } from './kafka-relay.broker.js';
import { KafkaRelay, type KafkaRelayOptions } from './kafka-relay.js';
import { KAFKA_OPTIONS, KAFKA_RELAY_TUNING } from './kafka.tokens.js';

/** The relay's Nest lifecycle: starts after bootstrap, woken by every commit, stopped on destroy. */
@Injectable()
export class KafkaRelayService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('KafkaRelay');
  private relay?: KafkaRelay;
  private subscription?: Subscription;

  constructor(
    @Inject(KAFKA_OPTIONS) private readonly kafka: KafkaOptions | null,
    @Inject(KAFKA_RELAY_TUNING) private readonly tuning: Partial<KafkaRelayOptions>,
    private readonly store: PostgresEventStore,
    private readonly checkpoints: CheckpointStore,
    private readonly publisher: EventBusPublisher,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The running relay (undefined when Kafka is off or before bootstrap). */
  get instance(): KafkaRelay | undefined {
    return this.relay;
  }

  onModuleInit(): void {
    // ReadinessChecks lives in the host module (ModelMoraModule), not ours: look it up app-wide.
    let checks: ReadinessChecks | undefined;
    try {
      checks = this.moduleRef.get(ReadinessChecks, { strict: false });
    } catch {
      // a host app without ModelMora's health endpoint
    }
    checks?.list.push(kafkaReadinessCheck(this.kafka, () => this.relay, this.store));
  }

  onApplicationBootstrap(): void {
    if (!this.kafka) {
      this.logger.log('Kafka relay off: no Kafka brokers configured (KAFKA_BROKERS); events are stored and dispatched in-process only');
      return;
    }
    const broker = new KafkajsRelayBroker(createKafkaClient(this.kafka, '-relay', 'KafkaRelay'));
    this.relay = new KafkaRelay(this.store, this.checkpoints, broker, {
      ...this.tuning,
      topicPrefix: this.tuning.topicPrefix ?? this.kafka.topicPrefix,
      logger: this.logger,
    });
    this.subscription = this.publisher.committed$.subscribe(() => this.relay?.notify());
    this.relay.start();
    this.logger.log({ msg: 'Kafka relay started', brokers: this.kafka.brokers.join(','), topic_prefix: this.kafka.topicPrefix });
  }

  async onModuleDestroy(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.relay?.stop();
  }
}
