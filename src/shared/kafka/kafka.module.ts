import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { KafkaOptions } from '../config/modelmora-options.js';
import { KafkaReadiness } from './kafka-readiness.js';
import { KafkaRelayMetrics } from './kafka-relay.metrics.js';
import { KafkaRelayService } from './kafka-relay.service.js';
import { kafkaOptionsProvider } from './kafka.tokens.js';

/**
 * Kafka for ModelMora: the relay (store → `{prefix}.{aggregate_type}.{event_type}`)
 * and its readiness check; without options it logs once that the relay is off.
 */
@Module({})
export class KafkaModule {
  /** Options known when the module is built (`ModelMoraModule.forRoot`). */
  static register(kafka: KafkaOptions | undefined): DynamicModule {
    return this.build(kafkaOptionsProvider(kafka));
  }

  /**
   * Options resolved at runtime (`ModelMoraModule.forRootAsync`): relay and readiness read
   * `kafka` from MODELMORA_OPTIONS.
   */
  static fromModelMoraOptions(): DynamicModule {
    return this.build(kafkaOptionsProvider('from-modelmora-options'));
  }

  private static build(kafkaProvider: Provider): DynamicModule {
    return { module: KafkaModule, providers: [kafkaProvider, KafkaRelayService, KafkaReadiness, KafkaRelayMetrics], exports: [KafkaRelayService] };
  }
}
