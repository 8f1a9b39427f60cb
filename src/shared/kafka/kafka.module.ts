import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { KafkaOptions, ModelMoraOptions } from '../config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../nest/tokens.js';
import { KafkaReadiness } from './kafka-readiness.js';
import { KafkaRelayService } from './kafka-relay.service.js';
import type { KafkaRelayOptions } from './kafka-relay.js';
import { KAFKA_OPTIONS, KAFKA_RELAY_TUNING } from './kafka.tokens.js';

export interface KafkaModuleSettings {
  /** Run the relay in this process (default true); false for consumer-only instances. */
  relay?: boolean;
  /** Relay overrides (batch size, poll interval, backoff, checkpoint name). */
  relayTuning?: Partial<KafkaRelayOptions>;
}

/**
 * Kafka for ModelMora: the relay (store → `{prefix}.{aggregate_type}.{event_type}`) and the
 * `kafka` readiness check. Without Kafka options it only logs, once, that the relay is off.
 * Needs the kernel (event store, checkpoints). The commands consumer is the inference
 * context's (KafkaCommandsModule): SubmitJob is its command.
 */
@Module({})
export class KafkaModule {
  /** Options known when the module is built (`ModelMoraModule.forRoot`). */
  static register(kafka: KafkaOptions | undefined, settings: KafkaModuleSettings = {}): DynamicModule {
    return this.build({ provide: KAFKA_OPTIONS, useValue: kafka ?? null }, settings);
  }

  /**
   * Options resolved at runtime (`ModelMoraModule.forRootAsync`): relay and readiness read
   * `kafka` from MODELMORA_OPTIONS.
   */
  static fromModelMoraOptions(settings: KafkaModuleSettings = {}): DynamicModule {
    const provider = { provide: KAFKA_OPTIONS, inject: [MODELMORA_OPTIONS], useFactory: (o: ModelMoraOptions) => o.kafka ?? null };
    return this.build(provider, settings);
  }

  private static build(kafkaProvider: Provider, settings: KafkaModuleSettings): DynamicModule {
    const providers: Provider[] = [kafkaProvider, { provide: KAFKA_RELAY_TUNING, useValue: settings.relayTuning ?? {} }];
    if (settings.relay ?? true) providers.push(KafkaRelayService, KafkaReadiness);
    return { module: KafkaModule, providers, exports: (settings.relay ?? true) ? [KafkaRelayService] : [] };
  }
}
