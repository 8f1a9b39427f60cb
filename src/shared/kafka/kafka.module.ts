import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy, type Provider } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { KafkaOptions, ModelMoraOptions } from '../config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../nest/tokens.js';
import { createKafkaClient } from './kafka-client.factory.js';
import { KafkaRelayService } from './kafka-relay.service.js';
import type { KafkaRelayOptions } from './kafka-relay.js';
import { KAFKA_OPTIONS, KAFKA_RELAY_TUNING } from './kafka.tokens.js';
import { CommandMessageProcessor } from './commands/command-message.processor.js';
import { createCommandsController } from './commands/commands-consumer.controller.js';
import { KafkaDeadLetterSink } from './commands/kafka-dead-letter.sink.js';

export interface KafkaModuleSettings {
  /** Run the relay in this process (default true); false for consumer-only instances. */
  relay?: boolean;
  /** Register the commands consumer's controller (default true when the topic is known). */
  consumer?: boolean;
  /** Relay overrides (batch size, poll interval, backoff, checkpoint name). */
  relayTuning?: Partial<KafkaRelayOptions>;
}

/** Stops retries in flight before Nest disconnects the consumer, then closes the DLQ producer. */
@Injectable()
class CommandsConsumerLifecycle implements OnModuleDestroy {
  constructor(
    @Inject(CommandMessageProcessor) private readonly processor: CommandMessageProcessor,
    @Inject(KafkaDeadLetterSink) private readonly sink: KafkaDeadLetterSink,
  ) {}

  async onModuleDestroy(): Promise<void> {
    this.processor.stop();
    await this.sink.disconnect();
  }
}

/**
 * Kafka for ModelMora: the relay (store → `{prefix}.{aggregate_type}.{event_type}`), the
 * `kafka` readiness check, and the commands consumer's controller. Without Kafka options
 * it only logs, once, that the relay is off. Needs the kernel (event store, checkpoints,
 * EventBusPublisher) and a CommandBus in the app; the consumer also needs
 * `connectKafkaConsumer(app, kafka)`.
 */
@Module({})
export class KafkaModule {
  /** Options known when the module is built (`ModelMoraModule.forRoot`). */
  static register(kafka: KafkaOptions | undefined, settings: KafkaModuleSettings = {}): DynamicModule {
    return this.build({ provide: KAFKA_OPTIONS, useValue: kafka ?? null }, kafka?.commandsTopic, settings);
  }

  /**
   * Options resolved at runtime (`ModelMoraModule.forRootAsync`): relay and readiness read
   * `kafka` from MODELMORA_OPTIONS. A decorator's topic must be known now, so the consumer
   * is registered only if `commandsTopic` is given (it must match the runtime options).
   */
  static fromModelMoraOptions(settings: KafkaModuleSettings & { commandsTopic?: string } = {}): DynamicModule {
    const provider = { provide: KAFKA_OPTIONS, inject: [MODELMORA_OPTIONS], useFactory: (o: ModelMoraOptions) => o.kafka ?? null };
    return this.build(provider, settings.commandsTopic, settings);
  }

  private static build(kafkaProvider: Provider, commandsTopic: string | undefined, settings: KafkaModuleSettings): DynamicModule {
    const providers: Provider[] = [kafkaProvider, { provide: KAFKA_RELAY_TUNING, useValue: settings.relayTuning ?? {} }];
    const exports: DynamicModule['exports'] = [];
    if (settings.relay ?? true) {
      providers.push(KafkaRelayService);
      exports.push(KafkaRelayService);
    }
    const controllers = [];
    if (commandsTopic && (settings.consumer ?? true)) {
      controllers.push(createCommandsController(commandsTopic));
      providers.push(
        {
          provide: KafkaDeadLetterSink,
          inject: [KAFKA_OPTIONS],
          useFactory: (kafka: KafkaOptions | null) => new KafkaDeadLetterSink(createKafkaClient(requireKafka(kafka), '-dlq', 'KafkaCommands')),
        },
        {
          provide: CommandMessageProcessor,
          inject: [CommandBus, KafkaDeadLetterSink],
          useFactory: (bus: CommandBus, sink: KafkaDeadLetterSink) => new CommandMessageProcessor(bus, sink, { commandsTopic }),
        },
        CommandsConsumerLifecycle,
      );
      exports.push(CommandMessageProcessor);
    }
    return { module: KafkaModule, providers, controllers, exports };
  }
}

function requireKafka(kafka: KafkaOptions | null): KafkaOptions {
  if (!kafka) throw new Error('KafkaModule: a commands topic was given but the ModelMora options have no kafka section');
  return kafka;
}
