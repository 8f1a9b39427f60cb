import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import request from 'supertest';
import { resolveOptions, type ModelMoraOptionsInput } from '../../../src/shared/config/modelmora-options.js';
import { Database } from '../../../src/shared/database/database.js';
import { PostgresEventStore } from '../../../src/shared/event-store/event-store.js';
import { ModelMoraExceptionFilter } from '../../../src/shared/http/edge/exception.filter.js';
import { ApiTokenGuard } from '../../../src/shared/http/edge/api-token.guard.js';
import { eventTypeIdProvider } from '../../../src/shared/nest/event-type-id.provider.js';
import { KernelModule } from '../../../src/shared/nest/kernel.module.js';
import { MODELMORA_OPTIONS } from '../../../src/shared/nest/tokens.js';
import { RegistryModule } from '../../../src/registry/registry.module.js';
import { RegisterModelCommand } from '../../../src/registry/application/commands/register-model/register-model.command.js';
import { InferenceModule } from '../../../src/inference/inference.module.js';
import { inferenceFeature } from '../../../src/inference/inference.feature.js';
import { registryFeature } from '../../../src/registry/registry.feature.js';
import { eventually } from '../../support/eventually.js';
import type { TestStorage } from '../../support/test-app.js';
import { readyForRequests, testHttpAdapter } from '../../support/http-adapter.js';
import { tinyRuntimeModule, type TinyRuntime } from './tiny-runtime.js';

@Module({})
class InferenceTestRoot {}

/**
 * The registry and inference contexts on the real kernel (event store, projections,
 * PGlite or PostgreSQL), with MODEL_SERVING given by a TinyRuntime over real workers.
 */
export async function startInferenceApp(storage: TestStorage, runtime: TinyRuntime, options: ModelMoraOptionsInput = {}): Promise<INestApplication> {
  const app = await NestFactory.create(
    {
      module: InferenceTestRoot,
      imports: [
        CqrsModule.forRoot({ eventIdProvider: eventTypeIdProvider }),
        KernelModule.register({ provide: MODELMORA_OPTIONS, useValue: resolveOptions({ ...storage.options, ...options }) }, { features: [registryFeature, inferenceFeature] }),
        RegistryModule,
        InferenceModule.forRoot({ serving: tinyRuntimeModule(runtime) }),
      ],
      providers: [ApiTokenGuard],
    },
    ...(await httpAdapterArgs()),
  );
  app.useGlobalFilters(new ModelMoraExceptionFilter(app.get(HttpAdapterHost)));
  await app.init();
  return readyForRequests(app);
}

/** NestFactory.create's arguments after the module for the suite's adapter (MODELMORA_TEST_HTTP_ADAPTER). */
async function httpAdapterArgs(): Promise<[object, object] | [object]> {
  const options = { logger: ['error', 'warn'] };
  if (testHttpAdapter() === 'express') return [options];
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return [new FastifyAdapter(), options];
}

export async function registerTensorModel(app: INestApplication, modelId: string, config: Record<string, unknown> = {}): Promise<void> {
  await app.get(CommandBus).execute(new RegisterModelCommand({ model_id: modelId, task_type: 'tensor', config }));
}

export const enc = encodeURIComponent;

export function http(app: INestApplication) {
  return request(app.getHttpServer());
}

/**
 * Every stored event of a type (the audit trail), in order: at least every one committed
 * before the call. The audit trail serves settled events only, and a transaction still open
 * anywhere on the server (another suite's) holds newer commits back for a moment.
 */
export async function eventsOf(app: INestApplication, eventType: string) {
  const [{ n }] = await app.get(Database).query<{ n: number }>('SELECT count(*)::int AS n FROM event_store WHERE event_type = $1', [eventType]);
  const stored = await eventually(async () => {
    const settled = await app.get(PostgresEventStore).readAll({ eventType, limit: 100_000 });
    return settled.length >= n && settled;
  }, `the ${n} committed ${eventType} events to settle`);
  return stored.map((s) => ({ ...s.event.toEnvelope(), position: s.position }));
}

export { eventually };

export const row = (n: number, seed = 0) => ({ x: { dims: [1, 4], data: [n, seed, n - seed, 1] } });

/** A job as GET /api/v1/jobs/{id} shows it. */
export async function jobOf(app: INestApplication, id: string) {
  return (await http(app).get(`/api/v1/jobs/${id}`)).body;
}

/** Waits until every job is terminal; returns their views. */
export function jobsEnded(app: INestApplication, ids: string[]) {
  return eventually(async () => {
    const jobs = await Promise.all(ids.map((id) => jobOf(app, id)));
    return jobs.every((j) => ['completed', 'failed', 'cancelled'].includes(j.status)) && jobs;
  }, `${ids.length} jobs to end`);
}
