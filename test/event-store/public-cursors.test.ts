import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { readFrames, type SseFrame } from '../../src/cli/sse-reader.js';
import { openDatabase, type OpenedDatabase } from '../../src/shared/database/data-source.js';
import { Database } from '../../src/shared/database/database.js';
import { createEvent } from '../../src/shared/domain/event-envelope.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import type { StreamAppend } from '../../src/shared/event-store/stored-event.js';
import { INFERENCE_QUEUE, JobCancelled } from '../../src/inference/domain/inference-queue.events.js';
import { modelMoraFeatures, modelMoraTables } from '../../src/modelmora.features.js';
import { EventTypeRegistry } from '../../src/shared/domain/event-type-registry.js';
import { eventually } from '../support/eventually.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';
import { postgresAvailable } from '../support/databases.js';

/** A transaction on its own connection that appends when told and commits when told. */
class HeldTransaction {
  private readonly steps: { append?: StreamAppend; done: () => void }[] = [];
  private wake?: () => void;
  readonly finished: Promise<unknown>;

  constructor(db: Database, store: PostgresEventStore) {
    this.finished = db.transaction(async (tx) => {
      for (;;) {
        while (this.steps.length === 0) await new Promise<void>((r) => (this.wake = r));
        const step = this.steps.shift()!;
        if (!step.append) return step.done();
        await store.appendIn(tx, [step.append]);
        step.done();
      }
    });
  }

  append(append: StreamAppend): Promise<void> {
    return this.next({ append });
  }

  commit(): Promise<unknown> {
    void this.next({});
    return this.finished;
  }

  private next(step: { append?: StreamAppend }): Promise<void> {
    return new Promise<void>((done) => {
      this.steps.push({ ...step, done });
      this.wake?.();
    });
  }
}

/** An event of a queue stream no instance runs: the readers serve it, no handler reacts to it. */
function update(stream: string, version: number, label: string): StreamAppend {
  const event = createEvent(JobCancelled, { id: stream, type: INFERENCE_QUEUE }, { job_id: randomUUID(), model_id: `cursor/${label}` }, { now: new Date(), newId: randomUUID });
  return { aggregateId: stream, aggregateType: INFERENCE_QUEUE, expectedVersion: version, events: [event] };
}

/** The interleaving of issue 20 against the public resume points, on a real PostgreSQL (PGlite runs one transaction at a time). */
(postgresAvailable() ? describe : describe.skip)('public cursors cannot step over a late commit (postgres)', () => {
  let storage: TestStorage;
  let app: INestApplication;
  let other: OpenedDatabase;
  let writer: PostgresEventStore;
  let writerDb: Database;
  let base: string;

  beforeAll(async () => {
    storage = await testStorage('postgres');
    app = await startTestApp(storage);
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    // A second DataSource: another instance's connections, whose transactions interleave with the app's reads.
    other = await openDatabase({ url: storage.options.databaseUrl, dataDir: storage.options.dataDir, ...modelMoraTables });
    writerDb = new Database(other.dataSource);
    writer = new PostgresEventStore(writerDb, new EventTypeRegistry().register(...modelMoraFeatures.flatMap((f) => f.events)), { instanceId: 'writer' });
  }, 120_000);
  afterAll(async () => {
    await other?.close();
    await app?.close();
    await storage?.cleanup();
  });

  it('serves, to a client paging the audit trail and to a live stream, the event whose position was drawn before a higher one was served', async () => {
    const [older, younger] = [randomUUID(), randomUUID()];
    const head = (await request(app.getHttpServer()).get('/api/v1/events?limit=1000')).body;
    const stream = await openStream(`${base}/api/v1/events/stream?after=${head.next_cursor}`);
    try {
      // The older transaction gets its id first.
      const old = new HeldTransaction(writerDb, writer);
      await old.append(update(older, 0, 'older-first'));
      // 1. A position is drawn by a younger transaction, which stays open.
      const young = new HeldTransaction(writerDb, writer);
      await young.append(update(younger, 0, 'drawn-first'));
      // 2. The older transaction draws a higher position and commits.
      await old.append(update(older, 1, 'older-higher'));
      await old.commit();
      // 3. Readers pass it: a page of the audit trail, and the stream.
      const page = (await request(app.getHttpServer()).get(`/api/v1/events?after=${head.next_cursor}`)).body;
      expect(page.items.map((e: { payload: { model_id: string } }) => e.payload.model_id)).toEqual(['cursor/older-first', 'cursor/older-higher']);
      await eventually(() => stream.modelIds().includes('cursor/older-higher'), 'the stream to pass the higher position');
      // 4. Then the first transaction commits.
      await young.commit();

      const next = (await request(app.getHttpServer()).get(`/api/v1/events?after=${page.next_cursor}`)).body;
      expect(next.items.map((e: { payload: { model_id: string } }) => e.payload.model_id)).toEqual(['cursor/drawn-first']);
      await eventually(() => stream.modelIds().includes('cursor/drawn-first'), 'the stream to deliver the late commit');
      expect(stream.modelIds()).toEqual(['cursor/older-first', 'cursor/older-higher', 'cursor/drawn-first']);
    } finally {
      stream.close();
    }
  });
});

async function openStream(url: string): Promise<{ modelIds(): string[]; close(): void }> {
  const abort = new AbortController();
  const frames: SseFrame[] = [];
  const res = await fetch(url, { signal: abort.signal });
  expect(res.status).toBe(200);
  void readFrames(res.body!, (f) => f.data !== undefined && !f.event && frames.push(f)).catch(() => undefined);
  return {
    modelIds: () => frames.map((f) => JSON.parse(f.data!).payload.model_id as string),
    close: () => abort.abort(),
  };
}
