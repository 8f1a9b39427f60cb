import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy, type Provider } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { KafkaOptions } from '../../../shared/config/modelmora-options.js';
import { KAFKA_OPTIONS, kafkaOptionsProvider } from '../../../shared/kafka/kafka.tokens.js';
import { CommandMessageProcessor } from './command-message.processor.js';
import type { KafkaDeadLetterSink } from './kafka-dead-letter.sink.js';

const DEAD_LETTER_SINK = Symbol('KafkaDeadLetterSink');

/** Stops retries in flight before Nest disconnects the consumer, then closes the DLQ producer. */
@Injectable()
class CommandsConsumerLifecycle implements OnModuleDestroy {
  constructor(
    @Inject(CommandMessageProcessor) private readonly processor: CommandMessageProcessor,
    @Inject(DEAD_LETTER_SINK) private readonly sink: KafkaDeadLetterSink,
  ) {}

  async onModuleDestroy(): Promise<void> {
    this.processor.stop();
    await this.sink.disconnect();
  }
}

/**
 * SubmitJob over Kafka: the commands topic's controller, its processor and dead-letter sink.
 * The app also needs `connectKafkaConsumer(app, kafka)` (done by `createServer`).
 */
@Module({})
export class KafkaCommandsModule {
  /** Options known when the module is built; nothing is registered without a commands topic. */
  static register(kafka: KafkaOptions | undefined): Promise<DynamicModule> {
    return this.build(kafkaOptionsProvider(kafka), kafka?.commandsTopic);
  }

  /**
   * Options resolved at runtime (`ModelMoraModule.forRootAsync`): a decorator's topic must be
   * known now, so the consumer is registered only if `commandsTopic` is given (it must match).
   */
  static fromModelMoraOptions(commandsTopic: string | undefined): Promise<DynamicModule> {
    return this.build(kafkaOptionsProvider('from-modelmora-options'), commandsTopic);
  }

  // Nest's Kafka transport and kafkajs load only when a commands topic is configured.
  private static async build(kafkaProvider: Provider, commandsTopic: string | undefined): Promise<DynamicModule> {
    if (!commandsTopic) return { module: KafkaCommandsModule };
    const [{ createCommandsController }, { KafkaDeadLetterSink }, { createKafkaClient }] = await Promise.all([
      import('./commands-consumer.controller.js'),
      import('./kafka-dead-letter.sink.js'),
      import('../../../shared/kafka/kafka-client.factory.js'),
    ]);
    return {
      module: KafkaCommandsModule,
      controllers: [createCommandsController(commandsTopic)],
      providers: [
        kafkaProvider,
        {
          provide: DEAD_LETTER_SINK,
          inject: [KAFKA_OPTIONS],
          useFactory: (kafka: KafkaOptions | null) => new KafkaDeadLetterSink(createKafkaClient(requireKafka(kafka), '-dlq', 'KafkaCommands')),
        },
        {
          provide: CommandMessageProcessor,
          inject: [CommandBus, DEAD_LETTER_SINK],
          useFactory: (bus: CommandBus, sink: KafkaDeadLetterSink) => new CommandMessageProcessor(bus, sink, { commandsTopic }),
        },
        CommandsConsumerLifecycle,
      ],
      exports: [CommandMessageProcessor],
    };
  }
}

function requireKafka(kafka: KafkaOptions | null): KafkaOptions {
  if (!kafka) throw new Error('KafkaCommandsModule: a commands topic was given but the ModelMora options have no kafka section');
  return kafka;
}
