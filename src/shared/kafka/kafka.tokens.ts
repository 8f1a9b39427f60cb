import type { Provider } from '@nestjs/common';
import type { KafkaOptions, ModelMoraOptions } from '../config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../nest/tokens.js';

/** The `KafkaOptions` the Kafka module was registered with, or null when Kafka is off. */
export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');

/**
 * KAFKA_OPTIONS for a module that uses Kafka: the options given when the module is built
 * (`ModelMoraModule.forRoot`), or, with `'from-modelmora-options'`, the `kafka` section of
 * MODELMORA_OPTIONS resolved at runtime (`forRootAsync`).
 */
export function kafkaOptionsProvider(kafka: KafkaOptions | undefined | 'from-modelmora-options'): Provider {
  if (kafka === 'from-modelmora-options') return { provide: KAFKA_OPTIONS, inject: [MODELMORA_OPTIONS], useFactory: (o: ModelMoraOptions) => o.kafka ?? null };
  return { provide: KAFKA_OPTIONS, useValue: kafka ?? null };
}
