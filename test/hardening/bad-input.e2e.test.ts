import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { committedEvents } from '../support/committed-events.js';
import { databaseBackends } from '../support/databases.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';
import { REQUEST_LIMITS } from '../../src/shared/http/edge/request-limits.js';

const nested = (levels: number): unknown => {
  let v: unknown = [];
  for (let i = 1; i < levels; i++) v = [v];
  return v;
};

// The edge check does not depend on the backend: one is enough (PostgreSQL when present).
const backend = databaseBackends()[0]!;

describe(`bad input gets a clear 4xx, never a 500 (on ${backend})`, () => {
  let storage: TestStorage;
  let app: INestApplication;
  let http: () => ReturnType<typeof request>;

  beforeAll(async () => {
    storage = await testStorage(backend);
    app = await startTestApp(storage);
    http = () => request(app.getHttpServer());
    expect((await http().post('/api/v1/models').send({ model_id: 'hard/ok', task_type: 'tensor' })).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
  });

  it.each([
    ['a NUL in a path parameter', () => http().get('/api/v1/models/a%2Fb%00'), 'INVALID_MODEL_ID', 'path.model_id'],
    ['a NUL in a path parameter of a write', () => http().post('/api/v1/models/a%2Fb%00/load').send({}), 'INVALID_MODEL_ID', 'path.model_id'],
    ['a NUL in the jobs filter', () => http().get('/api/v1/jobs?model_id=%00'), 'VALIDATION_ERROR', 'query.model_id'],
    ['a NUL in the events filter', () => http().get('/api/v1/events?event_type=%00'), 'VALIDATION_ERROR', 'query.event_type'],
    ['a NUL in a body string', () => http().post('/api/v1/models').send({ model_id: 'hard/a', task_type: 'tensor', description: 'x\u0000y' }), 'VALIDATION_ERROR', 'body.description'],
    ['a NUL in a config key', () => http().post('/api/v1/models').send({ model_id: 'hard/a', task_type: 'tensor', config: { 'a\u0000': 1 } }), 'VALIDATION_ERROR', 'body.config'],
    ['1e300 for page', () => http().get('/api/v1/models?page=1e300'), 'VALIDATION_ERROR', 'page'],
    ['1e300 for the jobs page', () => http().get('/api/v1/jobs?page=1e300'), 'VALIDATION_ERROR', 'page'],
    ['1e300 for after_position', () => http().get('/api/v1/events?after_position=1e300'), 'VALIDATION_ERROR', 'after_position'],
    ['1e300 for memory_mb', () => http().post('/api/v1/models').send({ model_id: 'hard/a', task_type: 'tensor', resource_requirements: { memory_mb: 1e300 } }), 'VALIDATION_ERROR', 'memory_mb'],
    ['200 levels of nested arrays in config', () => http().post('/api/v1/models').send({ model_id: 'hard/a', task_type: 'tensor', config: { a: nested(200) } }), 'VALIDATION_ERROR', 'body.config'],
    // Past 256 levels the body is refused before it is parsed, so no field can be named.
    ['2,000 levels of nested arrays in config', () => http().post('/api/v1/models').send({ model_id: 'hard/a', task_type: 'tensor', config: { a: nested(2000) } }), 'VALIDATION_ERROR', 'body nests deeper than 256 levels'],
    ['a config over its size limit', () => http().put('/api/v1/models/hard%2Fok').send({ config: { blob: 'x'.repeat(REQUEST_LIMITS.configMaxBytes) } }), 'VALIDATION_ERROR', 'config'],
    ['a description over its limit', () => http().put('/api/v1/models/hard%2Fok').send({ description: 'x'.repeat(REQUEST_LIMITS.descriptionMaxChars + 1) }), 'VALIDATION_ERROR', 'description'],
    ['a lone surrogate in inputs', () => http().post('/api/v1/infer/hard%2Fok').send({ inputs: { x: '\ud800' } }), 'INVALID_INPUT', 'body.inputs.x'],
    ['a lone surrogate deep in async inputs', () => http().post('/api/v1/infer/hard%2Fok/async').send({ inputs: { x: { dims: [1], data: ['\udc00'] } } }), 'INVALID_INPUT', 'body.inputs.x.data[0]'],
    ['a number JSON cannot carry in inputs', () => http().post('/api/v1/infer/hard%2Fok').set('content-type', 'application/json').send('{"inputs":{"x":{"dims":[1],"data":[1e999]}}}'), 'INVALID_INPUT', 'body.inputs.x.data[0]'],
    ['a lone surrogate in a request_id', () => http().post('/api/v1/infer/hard%2Fok/async').send({ inputs: {}, request_id: 'r\ud800' }), 'VALIDATION_ERROR', 'body.request_id'],
  ])('%s → 400 %s naming the field', async (_what, send, code, field) => {
    const res = await send();
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expect.objectContaining({ error_code: code, message: expect.stringContaining(field) }));
  });

  it('accepts the same fields at their limits, and stores them unchanged', async () => {
    const config = { blob: 'é'.repeat(1000), deep: nested(30), emoji: '😀' };
    const res = await http().put('/api/v1/models/hard%2Fok').send({ config, description: 'd'.repeat(REQUEST_LIMITS.descriptionMaxChars) });
    expect(res.status).toBe(200);
    expect((await http().get('/api/v1/models/hard%2Fok')).body.config).toEqual(config);
  });

  it('no request above changed the event log: only the one registration', async () => {
    const types = (await committedEvents(app)).map((e) => e.event_type).filter((type) => type.startsWith('model.'));
    expect(types).toEqual(['model.registered', 'model.updated']);
  });

  it('takes an empty body sent as application/json (a client that sets the header on every request) as no body, on either adapter', async () => {
    const res = await http().delete('/api/v1/models/hard%2Fabsent').set('content-type', 'application/json');
    expect([res.status, res.body.error_code]).toEqual([404, 'MODEL_NOT_FOUND']);
  });
});
