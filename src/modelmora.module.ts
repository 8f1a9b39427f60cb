import { Inject, Module, RequestMethod, type DynamicModule, type MiddlewareConsumer, type NestModule, type FactoryProvider, type ModuleMetadata, type Provider } from '@nestjs/common';
import { DiscoveryModule, HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { httpEdge } from './shared/http/edge/http-edge.js';
import { CqrsModule } from '@nestjs/cqrs';
import { resolveOptions, type ModelMoraOptions, type ModelMoraOptionsInput } from './shared/config/modelmora-options.js';
import { KernelModule } from './shared/nest/kernel.module.js';
import { MODELMORA_OPTIONS } from './shared/nest/tokens.js';
import { eventTypeIdProvider } from './shared/nest/event-type-id.provider.js';
import { AuditLogSaga } from './shared/sagas/audit-log.saga.js';
import { EventsController } from './shared/http/event-feed/events.controller.js';
import { EventsStreamController } from './shared/http/event-feed/events-stream.controller.js';
import { EventStreamClients } from './shared/http/event-feed/event-stream-clients.js';
import { HealthController } from './shared/http/health.controller.js';
import { ApiTokenGuard } from './shared/http/edge/api-token.guard.js';
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
export class ModelMoraModule implements NestModule {
  constructor(
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** A host that opts in (`forRoot({ httpEdge })`) gets the Origin/Host checks and CORS on ModelMora's routes only. */
  configure(consumer: MiddlewareConsumer): void {
    const edge = this.options.httpEdge;
    if (!edge) return;
    const listening = () => {
      const address = (this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined)?.address();
      return typeof address === 'object' && address ? address.address : undefined;
    };
    const routes = ['api/v1', 'api/v1/*path', 'v1/*path', 'v2', 'v2/*path', 'health/*path', 'dashboard', 'dashboard/*path'];
    consumer.apply(httpEdge(edge, listening)).forRoutes(...routes.map((path) => ({ path, method: RequestMethod.ALL })));
  }

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
