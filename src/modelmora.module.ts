import { Module, type DynamicModule, type FactoryProvider, type ModuleMetadata, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { resolveOptions, type ModelMoraOptions, type ModelMoraOptionsInput } from './shared/config/modelmora-options.js';
import { KernelModule } from './shared/nest/kernel.module.js';
import { MODELMORA_OPTIONS } from './shared/nest/tokens.js';
import { eventTypeIdProvider } from './shared/nest/event-type-id.provider.js';
import { AuditLogSaga } from './shared/sagas/audit-log.saga.js';
import { EventsController } from './shared/interface/http/events.controller.js';
import { EventsStreamController } from './shared/interface/http/events-stream.controller.js';
import { EventStreamClients } from './shared/interface/http/event-stream-clients.js';
import { HealthController } from './shared/interface/http/health.controller.js';
import { ApiTokenGuard } from './shared/http/api-token.guard.js';
import { KafkaModule } from './shared/kafka/kafka.module.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { RegistryModule } from './registry/registry.module.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { InferenceModule } from './inference/inference.module.js';
import { KafkaCommandsModule } from './inference/interface/kafka/kafka-commands.module.js';
import { modelMoraFeatures } from './modelmora.features.js';

export interface ModelMoraAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: any[]) => ModelMoraOptionsInput | Promise<ModelMoraOptionsInput>;
  inject?: FactoryProvider['inject'];
  /**
   * The Kafka commands topic, when the factory configures Kafka and this instance should
   * consume it: a consumer's topic must be known when the module is built.
   */
  kafkaCommandsTopic?: string;
}

/**
 * ModelMora as an importable Nest module: the catalog, lifecycle and inference contexts,
 * their REST controllers and sagas, on the host's CommandBus / QueryBus / EventBus. This is
 * the composition root: the one place that knows every context.
 */
@Module({})
export class ModelMoraModule {
  static forRoot(options: ModelMoraOptionsInput = {}): DynamicModule {
    const resolved = resolveOptions(options);
    return this.build({ provide: MODELMORA_OPTIONS, useValue: resolved }, [], [KafkaModule.register(resolved.kafka), KafkaCommandsModule.register(resolved.kafka)]);
  }

  static forRootAsync(options: ModelMoraAsyncOptions): DynamicModule {
    return this.build(
      {
        provide: MODELMORA_OPTIONS,
        inject: options.inject ?? [],
        useFactory: async (...args: unknown[]): Promise<ModelMoraOptions> => resolveOptions(await options.useFactory(...args)),
      },
      options.imports ?? [],
      [KafkaModule.fromModelMoraOptions(), KafkaCommandsModule.fromModelMoraOptions(options.kafkaCommandsTopic)],
    );
  }

  private static build(optionsProvider: Provider, imports: NonNullable<ModuleMetadata['imports']>, kafka: Array<DynamicModule | Promise<DynamicModule>>): DynamicModule {
    return {
      module: ModelMoraModule,
      imports: [
        ...imports,
        CqrsModule.forRoot({ eventIdProvider: eventTypeIdProvider }),
        DiscoveryModule,
        KernelModule.register(optionsProvider, { features: modelMoraFeatures, imports }),
        RegistryModule,
        LifecycleModule,
        InferenceModule.forRoot({ serving: LifecycleModule }),
        ...kafka,
      ],
      controllers: [EventsController, EventsStreamController, HealthController, DashboardController],
      providers: [AuditLogSaga, ApiTokenGuard, EventStreamClients],
      exports: [CqrsModule, KernelModule],
    };
  }
}
