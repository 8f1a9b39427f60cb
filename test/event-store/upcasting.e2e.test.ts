import 'reflect-metadata';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import request from 'supertest';
import { createEvent, DomainEvent } from '../../src/shared/domain/event-envelope.js';
import { Database } from '../../src/shared/database/database.js';
import { resolveOptions, type ModelMoraOptions } from '../../src/shared/config/modelmora-options.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import type { ContextFeature } from '../../src/shared/nest/context-feature.js';
import { eventTypeIdProvider } from '../../src/shared/nest/event-type-id.provider.js';
import { KernelModule } from '../../src/shared/nest/kernel.module.js';
import { MODELMORA_OPTIONS } from '../../src/shared/nest/tokens.js';
import { lifecycleEvents, MODEL_LIFECYCLE_MANAGER } from '../../src/lifecycle/domain/model-lifecycle.events.js';
import { databaseBackends } from '../support/databases.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';
import { fixedContext, testRegistry, things } from '../support/test-events.js';

const backend = databaseBackends()[0]!;

/** Today's shape of the test event: v2 added `tags`. */
class ThingHappenedV2 extends DomainEvent<{ n: number; label: string; tags: string[] }> {
  static readonly eventType = 'test.thing.happened';
  static readonly schemaVersion = 2;
}

const thingFeature: ContextFeature = {
  name: 'things',
  events: [ThingHappenedV2],
  upcasters: [{ eventType: 'test.thing.happened', fromVersion: 1, upcast: (p) => ({ ...p, tags: [String(p.label)] }) }],
};

/** model.load.started as version 1 wrote it: no trigger. */
class ModelLoadStartedV1 extends DomainEvent<{ model_id: string; version: string }> {
  static readonly eventType = 'model.load.started';
  static readonly schemaVersion = 1;
}

/** STYLE.md §5 in production wiring: a context hands its upcasters to the kernel with its feature, and old rows come back in today's shape. */
describe(`upcasters plugged in through a context feature (${backend})`, () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  const storages: TestStorage[] = [];
  afterAll(async () => {
    for (const app of opened.reverse()) await app.close();
    for (const s of storages) await s.cleanup();
  });
  const storage = async () => {
    const s = await testStorage(backend);
    storages.push(s);
    return s;
  };

  it('revives an old-version event of a feature through the kernel\'s store', async () => {
    const s = await storage();
    @Module({})
    class Root {}
    const app = await NestFactory.createApplicationContext({
      module: Root,
      imports: [
        CqrsModule.forRoot({ eventIdProvider: eventTypeIdProvider }),
        KernelModule.register({ provide: MODELMORA_OPTIONS, useValue: resolveOptions(s.options) }, { features: [thingFeature] }),
      ],
    }, { logger: ['error'] });
    opened.push(app);
    const id = '00000000-0000-4000-8000-0000000000a1';
    // Given a row written by the v1 code…
    await new PostgresEventStore(app.get(Database), testRegistry()).append({ aggregateId: id, aggregateType: 'test_thing', expectedVersion: 0, events: things(id, 1) });
    // …the kernel's store reads it back as today's class.
    const [stored] = (await app.get(PostgresEventStore).load(id)).events;
    expect(stored!.event).toBeInstanceOf(ThingHappenedV2);
    expect([stored!.event.version, stored!.event.payload]).toEqual([2, { n: 0, label: 't0', tags: ['t0'] }]);
  }, 60_000);

  it('replays a v1 model.load.started of the lifecycle after a restart, as an explicit load', async () => {
    const s = await storage();
    const first = await startTestApp(s);
    opened.push(first);
    const managerId = first.get<ModelMoraOptions>(MODELMORA_OPTIONS).lifecycleManagerId;
    const v1 = createEvent(ModelLoadStartedV1, { id: managerId, type: MODEL_LIFECYCLE_MANAGER }, { model_id: 'acme/old', version: 'main' }, fixedContext());
    const oldCode = new PostgresEventStore(first.get(Database), testRegistry().register(...lifecycleEvents.filter((e) => e.eventType !== 'model.load.started'), ModelLoadStartedV1));
    const { events: before } = await first.get(PostgresEventStore).load(managerId);
    await oldCode.append({ aggregateId: managerId, aggregateType: MODEL_LIFECYCLE_MANAGER, expectedVersion: before.length, events: [v1] });
    await first.close();
    opened.pop();

    // The restart replays the stream (start-up reconciliation loads the manager): the load it
    // finds under way was cut short by the stop, and the old row reads as version 2.
    const second = await startTestApp(s);
    opened.push(second);
    const log = (await request(second.getHttpServer()).get(`/api/v1/events?aggregate_id=${managerId}`)).body.items as Array<{ event_type: string; payload: Record<string, unknown>; version: number }>;
    expect(log.map((e) => [e.event_type, e.version, e.payload])).toEqual([
      ['model.load.started', 2, { model_id: 'acme/old', version: 'main', trigger: 'explicit' }],
      ['model.load.failed', 1, { model_id: 'acme/old', version: 'main', error_code: 'LOAD_FAILED', error_message: 'the server stopped during the load' }],
    ]);
  }, 90_000);
});
