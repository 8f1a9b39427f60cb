import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy, type Provider } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { KafkaOptions } from '../../../shared/config/modelmora-options.js';
import { createKafkaClient } from '../../../shared/kafka/kafka-client.factory.js';
import { KAFKA_OPTIONS, kafkaOptionsProvider } from '../../../shared/kafka/kafka.tokens.js';
import { CommandMessageProcessor } from './command-message.processor.js';
import { createCommandsController } from './commands-consumer.controller.js';
import { KafkaDeadLetterSink } from './kafka-dead-letter.sink.js';

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
 * SubmitJob over Kafka: the commands topic's controller, its processor and dead-letter sink.
 * The app also needs `connectKafkaConsumer(app, kafka)` (done by `createServer`).
 */
@Module({})
export class KafkaCommandsModule {
  /** Options known when the module is built; nothing is registered without a commands topic. */
  static register(kafka: KafkaOptions | undefined): DynamicModule {
    return this.build(kafkaOptionsProvider(kafka), kafka?.commandsTopic);
  }

  /**
   * Options resolved at runtime (`ModelMoraModule.forRootAsync`): a decorator's topic must be
   * known now, so the consumer is registered only if `commandsTopic` is given (it must match).
   */
  static fromModelMoraOptions(commandsTopic: string | undefined): DynamicModule {
    return this.build(kafkaOptionsProvider('from-modelmora-options'), commandsTopic);
  }

  private static build(kafkaProvider: Provider, commandsTopic: string | undefined): DynamicModule {
    if (!commandsTopic) return { module: KafkaCommandsModule };
    return {
      module: KafkaCommandsModule,
      controllers: [createCommandsController(commandsTopic)],
      providers: [
        kafkaProvider,
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
      ],
      exports: [CommandMessageProcessor],
    };
  }
}

function requireKafka(kafka: KafkaOptions | null): KafkaOptions {
  if (!kafka) throw new Error('KafkaCommandsModule: a commands topic was given but the ModelMora options have no kafka section');
  return kafka;
}
