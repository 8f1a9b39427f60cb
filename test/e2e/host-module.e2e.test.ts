import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Module, Post, Req, type INestApplication } from '@nestjs/common';
import { CommandBus, EventsHandler, QueryBus, type IEventHandler } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ModelMoraModule, ModelRegistered, RegisterModelCommand, GetModelQuery } from '../../src/index.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { hostHttpAdapter, readyForRequests, testHttpAdapter } from '../support/http-adapter.js';

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

  /** What the host's own body parsing made of a request. */
  @Post('echo')
  echo(@Req() req: { headers: Record<string, string>; body?: unknown }) {
    return { content_type: req.headers['content-type'] ?? null, body: req.body ?? null };
  }
}

describe(`ModelMoraModule imported by a host Nest app (${testHttpAdapter()})`, () => {
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
    app = moduleRef.createNestApplication(await hostHttpAdapter());
    await app.init();
    await readyForRequests(app);
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

  it('reads OIP bodies of any type itself, and leaves the host routes to the host parsers and limits', async () => {
    const http = () => request(app.getHttpServer());
    const infer = JSON.stringify({ inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }] });
    // No Content-Type (tritonclient) and octet-stream both reach the OIP handler: an OIP 404 for the unknown model.
    for (const type of [undefined, 'application/octet-stream', 'application/json']) {
      const req = http().post('/v2/models/host/absent/infer');
      // supertest writes a Buffer as is, but serialises it as JSON under application/json.
      const res = await (type ? req.set('content-type', type) : req).send(type === 'application/json' ? infer : Buffer.from(infer));
      expect([type, res.status, res.body]).toEqual([type, 404, { error: expect.stringMatching(/absent/) }]);
    }
    // Past the host's JSON limit (1 MB on Fastify, 100 kB on Express) but within OIP's own 64 MB: OIP reads it
    // (as binary: under application/json an Express host's own JSON parser reads it first, with its limit).
    const big = JSON.stringify({ inputs: [{ name: 'x', shape: [300_000], datatype: 'FP32', data: new Array(300_000).fill(1.5) }] });
    expect((await http().post('/v2/models/host/absent/infer').set('content-type', 'application/octet-stream').send(Buffer.from(big))).status).toBe(404);
    // The host's own routes keep the host's parsing: JSON parsed, its limit and its refusals as before.
    expect((await http().post('/host/echo').send({ a: 1 })).body).toEqual({ content_type: 'application/json', body: { a: 1 } });
    expect((await http().post('/host/echo').set('content-type', 'application/json').send(big)).status).toBe(413);
    const binary = await http().post('/host/echo').set('content-type', 'application/octet-stream').send(Buffer.from('raw'));
    if (testHttpAdapter() === 'fastify') expect(binary.status).toBe(415); // no parser for it: Fastify's own refusal
    else expect(binary.body).toEqual({ content_type: 'application/octet-stream', body: null });
  });

  it('streams events (SSE) and answers its errors in its own shape on the host', async () => {
    const unknown = await request(app.getHttpServer()).get('/api/v1/models/host%2Fabsent');
    expect([unknown.status, unknown.body.error_code]).toEqual([404, 'MODEL_NOT_FOUND']);
    const body = await new Promise<string>((resolve, reject) => {
      let seen = '';
      const req = request(app.getHttpServer()).get('/api/v1/events/stream?tail=1');
      req.buffer(false).parse((res, done) => {
        res.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes('data: ')) {
            (res as unknown as { destroy(): void }).destroy();
            resolve(seen);
          }
        });
        res.on('error', () => undefined);
        res.on('end', () => done(null, seen));
      }).catch(reject);
    });
    expect(body).toMatch(/^retry: 1000\n\n/);
    expect(body).toContain('"event_type":"model.registered"');
  });
});
