import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFrames, type SseFrame } from '../../src/cli/sse-reader.js';
import { INFERENCE_QUEUE, JobCancelled } from '../../src/inference/domain/inference-queue.events.js';
import { modelMoraTables } from '../../src/modelmora.features.js';
import { openDatabase, type OpenedDatabase } from '../../src/shared/database/data-source.js';
import { Database } from '../../src/shared/database/database.js';
import { createEvent } from '../../src/shared/domain/event-envelope.js';
import { EventTypeRegistry } from '../../src/shared/domain/event-type-registry.js';
import { PostgresEventStore } from '../../src/shared/event-store/event-store.js';
import { startServer, type RunningServer } from '../cli/support/cli-harness.js';
import { eventually } from '../support/eventually.js';
import { postgresAvailable } from '../support/databases.js';

const TOKEN = 'clients-token';
const auth = { authorization: `Bearer ${TOKEN}` };
/** A config near its 64 KiB limit: each model.updated carrying it is about 60 kB. */
const BIG_CONFIG = { blob: 'x'.repeat(60_000) };

async function api(base: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}${path}`, { ...init, headers: { ...auth, 'content-type': 'application/json', ...(init.headers ?? {}) } });
}

/** Writes `count` model.updated events of about 60 kB each through the API. */
async function writeBigEvents(base: string, modelId: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await api(base, `/api/v1/models/${encodeURIComponent(modelId)}`, { method: 'PUT', body: JSON.stringify({ description: `rev ${i}`, config: BIG_CONFIG }) });
    expect(res.status).toBe(200);
  }
}

/** An SSE client that sends its request, then never reads a byte. */
function neverReadingClient(base: string): Promise<Socket> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.pause();
      socket.write(`GET /api/v1/events/stream HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${TOKEN}\r\nAccept: text/event-stream\r\n\r\n`);
      resolve(socket);
    });
    socket.on('error', () => undefined); // a dropped client sees a reset: that is the point
    socket.once('error', reject);
  });
}

async function metric(base: string, name: string): Promise<number> {
  const text = await (await api(base, '/api/v1/metrics')).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
}
const openStreams = (base: string) => metric(base, 'modelmora_feed_stream_clients');

function rssMb(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** Frames of an SSE response, read as they come. */
async function streamFrames(base: string, query = '', headers: Record<string, string> = {}): Promise<{ frames: SseFrame[]; close(): void; status: number }> {
  const abort = new AbortController();
  const frames: SseFrame[] = [];
  const res = await fetch(`${base}/api/v1/events/stream${query}`, { headers: { ...auth, ...headers }, signal: abort.signal });
  if (res.ok) void readFrames(res.body!, (f) => f.data !== undefined && !f.event && frames.push(f)).catch(() => undefined);
  return { frames, status: res.status, close: () => abort.abort() };
}

describe('event stream clients, bounded (real server)', () => {
  let running: RunningServer;
  let base: string;

  beforeAll(async () => {
    // A small window, so resuming clients cross from the store to the window to live; a short
    // heartbeat and a large buffer, so a stalled client is found by the heartbeat, not the buffer.
    running = await startServer({
      MODELMORA_API_TOKEN: TOKEN, MODELMORA_MAX_STREAM_CLIENTS: '4', MODELMORA_FEED_WINDOW_EVENTS: '20',
      MODELMORA_STREAM_HEARTBEAT_MS: '300', MODELMORA_STREAM_CLIENT_BUFFER_KB: String(64 * 1024),
    });
    base = running.server.url;
    expect((await api(base, '/api/v1/models', { method: 'POST', body: JSON.stringify({ model_id: 'clients/big', task_type: 'tensor' }) })).status).toBe(201);
  }, 120_000);
  afterAll(() => running?.stop());

  it('answers 503 with Retry-After past MODELMORA_MAX_STREAM_CLIENTS, and takes a client again once one leaves', async () => {
    const open: Awaited<ReturnType<typeof streamFrames>>[] = [];
    try {
      let refused: Response | undefined;
      for (let i = 0; i < 5 && !refused; i++) {
        const client = await streamFrames(base, '?tail=0');
        if (client.status === 200) open.push(client);
        else refused = await fetch(`${base}/api/v1/events/stream?tail=0`, { headers: auth });
      }
      refused ??= await fetch(`${base}/api/v1/events/stream?tail=0`, { headers: auth });
      expect(open.length).toBeLessThanOrEqual(4);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(await refused.json()).toMatchObject({ error_code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('MODELMORA_MAX_STREAM_CLIENTS') });
      open.pop()!.close();
      await eventually(async () => {
        const again = await streamFrames(base, '?tail=0');
        again.close();
        return again.status === 200;
      }, 'a place to free up');
    } finally {
      open.forEach((c) => c.close());
    }
  });

  it('resumes a client from far back through the store and the window into the live fan-out: every event once, in the audit order', async () => {
    for (let i = 0; i < 60; i++) expect((await api(base, '/api/v1/models', { method: 'POST', body: JSON.stringify({ model_id: `clients/m${i}`, task_type: 'tensor' }) })).status).toBe(201);
    const client = await streamFrames(base, '?after=0-0');
    try {
      // Written while the client catches up: some land in the window, some arrive live.
      for (let i = 0; i < 40; i++) expect((await api(base, '/api/v1/models', { method: 'POST', body: JSON.stringify({ model_id: `clients/late${i}`, task_type: 'tensor' }) })).status).toBe(201);
      const audit: { event_id: string }[] = [];
      for (let after = '0-0'; ;) {
        const page = (await (await api(base, `/api/v1/events?after=${after}&limit=1000`)).json()) as { items: { event_id: string }[]; next_cursor: string };
        audit.push(...page.items);
        if (page.items.length === 0) break;
        after = page.next_cursor;
      }
      await eventually(() => client.frames.length >= audit.length, `the client to receive all ${audit.length} events`);
      expect(client.frames.map((f) => JSON.parse(f.data!).event_id)).toEqual(audit.map((e) => e.event_id));
    } finally {
      client.close();
    }
  }, 120_000);

  it('closes, at a heartbeat, a client that took nothing for a whole interval while data waited for it', async () => {
    // The earlier tests' clients are closed, but the server may learn it later: a baseline read before
    // that would count one of them, whose leaving then hides the stalled client's arrival.
    await eventually(async () => (await openStreams(base)) === 0, "the earlier tests' clients to be gone");
    const stalled = await neverReadingClient(base);
    try {
      await eventually(async () => (await openStreams(base)) === 1, 'the stalled client to open its stream');
      // ~12 MB: more than the kernel's socket buffers hold, far less than the 64 MB client buffer.
      await writeBigEvents(base, 'clients/big', 200);
      await eventually(async () => (await openStreams(base)) === 0, 'the heartbeat to close the stalled client');
      expect(await metric(base, 'modelmora_feed_stream_clients_dropped_total{reason="stalled"}')).toBe(1);
    } finally {
      stalled.destroy();
    }
  }, 120_000);
});

/** Appends ~60 kB events to queue streams no instance runs: the server reads them like any event, and no handler reacts. */
class BigEventWriter {
  private readonly stream = randomUUID();
  private version = 0;
  constructor(private readonly store: PostgresEventStore) {}
  async write(count: number): Promise<void> {
    const ctx = { now: new Date(), newId: randomUUID };
    const events = Array.from({ length: count }, () => createEvent(JobCancelled, { id: this.stream, type: INFERENCE_QUEUE }, { job_id: randomUUID(), model_id: 'rss/none', blob: BIG_CONFIG.blob } as never, ctx));
    await this.store.append({ aggregateId: this.stream, aggregateType: INFERENCE_QUEUE, expectedVersion: this.version, events });
    this.version += count;
  }
}

// The events are written from outside the server (another instance's appends, through the
// store): the server's RSS then measures its feed, not the cost of its own write path.
(postgresAvailable() ? describe : describe.skip)('50 clients that never read, while 100 MB of events is written (real server, postgres)', () => {
  let running: RunningServer;
  let base: string;
  let opened: OpenedDatabase;
  let writer: BigEventWriter;

  beforeAll(async () => {
    // A 1 s heartbeat: a client stuck catching up (it never drains) is dropped after two of them.
    running = await startServer({ MODELMORA_API_TOKEN: TOKEN, MODELMORA_STREAM_HEARTBEAT_MS: '1000' });
    base = running.server.url;
    opened = await openDatabase({ url: running.storage.options.databaseUrl, dataDir: running.storage.options.dataDir, ...modelMoraTables });
    writer = new BigEventWriter(new PostgresEventStore(new Database(opened.dataSource), new EventTypeRegistry().register(JobCancelled), { instanceId: 'rss-writer' }));
    // Warm: the same 105 MB once without clients, so V8 has sized its heap for this traffic
    // before the baseline; what grows after it is what the clients cost. (Cold, the first
    // 105 MB through the tail alone grows RSS by some 160 MB on this kind of machine.)
    for (let i = 0; i < 175; i++) await writer.write(10);
  }, 300_000);
  afterAll(async () => {
    await opened?.close();
    await running?.stop();
  });

  it('keeps the server\'s RSS growth under 50 × the per-client buffer + 100 MB, and drops every client', async () => {
    const bufferMb = 256 / 1024; // MODELMORA_STREAM_CLIENT_BUFFER_KB's default
    const pid = running.server.child.pid!;
    const before = rssMb(pid);
    // From the start of the store, 105 MB behind: each catches up as far as its buffers take, and never reads a byte.
    const clients = await Promise.all(Array.from({ length: 50 }, () => neverReadingClient(base)));
    try {
      let peak = before;
      // 1,750 events of ~60 kB: 105 MB through the store, the tail and the 50 streams.
      for (let i = 0; i < 175; i++) {
        await writer.write(10);
        peak = Math.max(peak, rssMb(pid));
      }
      // A paused socket does not notice the reset: the server's own count says who is still there.
      await eventually(async () => (peak = Math.max(peak, rssMb(pid))) && (await openStreams(base)) === 0, 'the server to drop every never-reading client', 60_000);
      const growth = peak - before;
      console.log(`server RSS: ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB while 105 MB of events went to 50 never-reading clients: growth ${growth.toFixed(0)} MB (bound ${(50 * bufferMb + 100).toFixed(1)} MB)`);
      expect(growth).toBeLessThan(50 * bufferMb + 100);
    } finally {
      clients.forEach((c) => c.destroy());
    }
  }, 600_000);
});
