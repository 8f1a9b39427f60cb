import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Module, type INestApplication } from '@nestjs/common';
import { CommandBus, EventsHandler, QueryBus, type IEventHandler } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ModelMoraModule, ModelRegistered, RegisterModelCommand, GetModelQuery } from '../../src/index.js';
import { testStorage, type TestStorage } from '../support/test-app.js';

/** A host app's own service, using ModelMora through the buses it exports. */
@Injectable()
class CatalogClient {
  constructor(readonly commands: CommandBus, readonly queries: QueryBus) {}
}

@Injectable()
class ConfigService {
  get(key: string): string | undefined {
    return key === 'MAX_MODELS' ? '3' : undefined;
  }
}

@Module({ providers: [ConfigService], exports: [ConfigService] })
class ConfigModule {}

const seen: ModelRegistered[] = [];

/** The host's own event handler, subscribed by the stable event type. */
@EventsHandler(ModelRegistered)
class HostRegisteredHandler implements IEventHandler<ModelRegistered> {
  handle(event: ModelRegistered): void {
    seen.push(event);
  }
}

@Controller('host')
class HostController {
  @Get('ping')
  ping() {
    return 'pong';
  }
}

describe('ModelMoraModule imported by a host Nest app', () => {
  let storage: TestStorage;
  let app: INestApplication;

  beforeAll(async () => {
    storage = await testStorage('pglite');
    const moduleRef = await Test.createTestingModule({
      imports: [
        ModelMoraModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({ ...storage.options, maxModels: Number(config.get('MAX_MODELS')) }),
        }),
      ],
      controllers: [HostController],
      providers: [CatalogClient, HostRegisteredHandler],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
  });

  it('registers a model through the exported command bus and reads it back', async () => {
    const client = app.get(CatalogClient);
    const result = await client.commands.execute(new RegisterModelCommand({ model_id: 'host/model', task_type: 'tensor' }));
    expect(result).toEqual({ model_id: 'host/model', version: 'main' });
    const model = await client.queries.execute(new GetModelQuery('host/model'));
    expect(model.task_type).toBe('tensor');
    expect(seen.map((e) => e.payload.model_id)).toEqual(['host/model']);
  });

  it('serves its REST API beside the host routes, with its error mapping only on its own routes', async () => {
    const http = () => request(app.getHttpServer());
    expect((await http().get('/host/ping')).text).toBe('pong');
    const dup = await http().post('/api/v1/models').send({ model_id: 'host/model', task_type: 'tensor' });
    expect(dup.status).toBe(409);
    expect(dup.body.error_code).toBe('MODEL_ALREADY_EXISTS');
    expect((await http().get('/api/v1/status')).body.totals.max_models).toBe(3);
  });
});
