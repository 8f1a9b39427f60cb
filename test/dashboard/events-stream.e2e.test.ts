import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFrames, type SseFrame } from '../../src/cli/sse-reader.js';
import { startServer, type RunningServer } from '../cli/support/cli-harness.js';

const TOKEN = 'sse-token';

interface Envelope {
  event_id: string;
  event_type: string;
  payload: { model_id?: string };
}

/** An open SSE connection whose frames a test reads one at a time, in arrival order. */
class StreamClient {
  readonly frames: SseFrame[] = [];
  private readonly abort = new AbortController();
  private waiters: (() => void)[] = [];
  status = 0;

  static async open(url: string, headers: Record<string, string> = {}): Promise<StreamClient> {
    const client = new StreamClient();
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}`, ...headers }, signal: client.abort.signal });
    client.status = res.status;
    if (res.ok && res.body) {
      void readFrames(res.body, (f) => {
        if (f.data === undefined) return;
        client.frames.push(f);
        client.waiters.splice(0).forEach((w) => w());
      }).catch(() => undefined);
    }
    return client;
  }

  async take(n: number): Promise<{ cursor: string; event: Envelope }[]> {
    while (this.frames.length < n) await new Promise<void>((r) => this.waiters.push(r));
    return this.frames.slice(0, n).map((f) => ({ cursor: f.id!, event: JSON.parse(f.data!) as Envelope }));
  }

  close(): void {
    this.abort.abort();
  }
}

describe('GET /api/v1/events/stream (server-sent events)', () => {
  let running: RunningServer;
  let base: string;

  const register = async (id: string): Promise<void> => {
    const res = await fetch(`${base}/api/v1/models`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ model_id: id, task_type: 'tensor' }),
    });
    expect(res.status).toBe(201);
  };
  const stored = async (after = '0-0'): Promise<Envelope[]> =>
    ((await (await fetch(`${base}/api/v1/events?after=${after}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { items: Envelope[] }).items;

  beforeAll(async () => {
    running = await startServer({ MODELMORA_API_TOKEN: TOKEN });
    base = running.server.url;
  }, 120_000);
  afterAll(() => running?.stop());

  it('delivers stored then live events in the audit trail\'s order, ids being its cursors', async () => {
    await register('sse/one');
    await register('sse/two');
    const client = await StreamClient.open(`${base}/api/v1/events/stream`);
    try {
      await register('sse/three'); // live, after the stream opened
      const got = await client.take(3);
      expect(got.map((g) => g.event.payload.model_id)).toEqual(['sse/one', 'sse/two', 'sse/three']);
      expect(got.map((g) => g.event.event_type)).toEqual(['model.registered', 'model.registered', 'model.registered']);
      expect(new Set(got.map((g) => g.cursor)).size).toBe(3);
      expect(got.map((g) => g.event.event_id)).toEqual((await stored()).map((e) => e.event_id));
    } finally {
      client.close();
    }
  });

  it('resumes from Last-Event-ID with exactly the events missed while disconnected', async () => {
    const first = await StreamClient.open(`${base}/api/v1/events/stream`);
    const [, second] = await first.take(2);
    first.close();
    const lastSeen = second!.cursor;

    await register('sse/missed-a');
    await register('sse/missed-b');
    const missed = await stored(lastSeen);
    expect(missed.length).toBeGreaterThanOrEqual(3); // sse/three plus the two registered while away

    const resumed = await StreamClient.open(`${base}/api/v1/events/stream`, { 'last-event-id': lastSeen });
    try {
      await register('sse/live-after-resume');
      const got = await resumed.take(missed.length + 1);
      expect(got.slice(0, missed.length).map((g) => g.event.event_id)).toEqual(missed.map((e) => e.event_id));
      expect(got.some((g) => g.cursor === lastSeen)).toBe(false);
      expect(got.at(-1)!.event.payload.model_id).toBe('sse/live-after-resume');
      expect(new Set(got.map((g) => g.event.event_id)).size).toBe(got.length); // nothing twice
    } finally {
      resumed.close();
    }
  });

  it('applies the same filters as /events, plus the model id', async () => {
    const byModel = await StreamClient.open(`${base}/api/v1/events/stream?model_id=${encodeURIComponent('sse/two')}`);
    const byType = await StreamClient.open(`${base}/api/v1/events/stream?event_type=model.unregistered`);
    try {
      await fetch(`${base}/api/v1/models/${encodeURIComponent('sse/two')}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
      const two = await byModel.take(2);
      expect(two.map((g) => [g.event.event_type, g.event.payload.model_id])).toEqual([['model.registered', 'sse/two'], ['model.unregistered', 'sse/two']]);
      const [unregistered] = await byType.take(1);
      expect(unregistered!.event).toMatchObject({ event_type: 'model.unregistered', payload: { model_id: 'sse/two' } });
    } finally {
      byModel.close();
      byType.close();
    }
  });

  it('is behind the token, and refuses a Last-Event-ID that is no cursor of ours', async () => {
    const anonymous = await fetch(`${base}/api/v1/events/stream`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error_code: 'UNAUTHORIZED' });
    const bad = await fetch(`${base}/api/v1/events/stream`, { headers: { authorization: `Bearer ${TOKEN}`, 'last-event-id': 'yesterday' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error_code: 'VALIDATION_ERROR' });
  });

  it('ends open streams when the server stops, so a connected dashboard never holds it open', async () => {
    const res = await fetch(`${base}/api/v1/events/stream?tail=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const ended = readFrames(res.body!, () => undefined).then(() => 'ended', () => 'ended');
    running.server.child.kill('SIGTERM');
    expect(await running.server.exited).toEqual({ code: 0, signal: null });
    await expect(ended).resolves.toBe('ended');
  });
});
