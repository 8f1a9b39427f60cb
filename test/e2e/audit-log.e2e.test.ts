import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createServer } from '../../src/bootstrap.js';
import { testStorage, type TestStorage } from '../support/test-app.js';
import { eventually } from '../support/eventually.js';

/** Seed §9 audit handler: each committed event is one JSON line on the server's log. */
describe('audit log', () => {
  let storage: TestStorage;
  let app: INestApplication;
  const lines: string[] = [];

  beforeAll(async () => {
    storage = await testStorage('pglite');
    app = await createServer(storage.options, 'log');
    await app.init();
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await app?.close();
    await storage?.cleanup();
  });

  it('writes one structured JSON line per event with its type, id, aggregate and payload', async () => {
    const res = await request(app.getHttpServer()).post('/api/v1/models').send({ model_id: 'audit/model', task_type: 'tensor' });
    expect(res.status).toBe(201);
    const event = await eventually(async () => (await request(app.getHttpServer()).get('/api/v1/events?event_type=model.registered')).body.items[0], 'the registration to settle');
    const line = await eventually(() => lines.find((l) => l.includes(event.event_id)), 'the audit line');
    expect(line.trim().split('\n')).toHaveLength(1);
    const record = JSON.parse(line);
    expect(record).toMatchObject({ level: 'log', context: 'Audit' });
    expect(record.message).toEqual({
      msg: 'Event: model.registered',
      event_type: 'model.registered',
      event_id: event.event_id,
      aggregate_id: event.aggregate_id,
      aggregate_type: 'model_catalog',
      payload: event.payload,
    });
  });
});
