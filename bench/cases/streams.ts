/**
 * What open event streams cost sync inference (issue 20): sync inference over HTTP at
 * concurrency 8 with 500 SSE clients connected and receiving heartbeats, against the same
 * server with none, rounds interleaved. The clients watch `model.loaded` (as a dashboard's
 * model list does), so sync jobs send them nothing but heartbeats; before issue 20 every
 * such client was a store reader of its own (100 of them: 34 → 1.6 req/s).
 */
import { connect, type Socket } from 'node:net';
import { startAppServer, type AppServer } from '../support/app-server.js';
import type { BenchCase, BenchContext } from '../support/bench-context.js';
import { closedLoop, detail, result, summarise, withTarget, type BenchResult, type RoundStats } from '../support/stats.js';
import { loadModel, registerModel, requireInferenceApi } from '../support/tiny-model.js';

const MODEL_ID = 'bench/tiny-matmul-streams';
const CLIENTS = 500;
const CONCURRENCY = 8;
const HEARTBEAT_MS = 1_000;

/** An SSE client that reads and counts heartbeats. */
interface StreamClient {
  socket: Socket;
  heartbeats: number;
}

function openClient(server: AppServer): Promise<StreamClient> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const client: StreamClient = { socket: connect(Number(port), hostname), heartbeats: 0 };
    client.socket.once('error', reject);
    client.socket.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(': keep-alive'); i >= 0; i = chunk.indexOf(': keep-alive', i + 1)) client.heartbeats += 1;
    });
    client.socket.once('connect', () => {
      client.socket.write(`GET /api/v1/events/stream?event_type=model.loaded&tail=0 HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`);
      resolve(client);
    });
  });
}

async function openClients(server: AppServer, n: number): Promise<StreamClient[]> {
  const clients: StreamClient[] = [];
  for (let i = 0; i < n; i += 50) clients.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => openClient(server)))));
  return clients;
}

export const streamsCase: BenchCase = {
  name: 'streams',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const rounds = ctx.quick ? 3 : 5;
    const requests = ctx.quick ? 800 : 2000;
    const server = await startAppServer({ env: { ...ctx.serverEnv(), MODELMORA_STREAM_HEARTBEAT_MS: String(HEARTBEAT_MS) }, nodeArgs: ctx.serverNodeArgs('streams'), maxSockets: 64 });
    try {
      await requireInferenceApi(server.http);
      await registerModel(server.http, ctx.model, MODEL_ID);
      await loadModel(server.http, MODEL_ID);
      const body = JSON.stringify({ inputs: ctx.model.inputs });
      const path = `/api/v1/infer/${encodeURIComponent(MODEL_ID)}`;
      const call = async () => {
        const reply = await server.http.postRaw(path, body);
        if (reply.status !== 200) throw new Error(`sync inference: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
      };
      for (let i = 0; i < 100; i++) await call(); // warm-up

      const without: RoundStats[] = [];
      const with500: RoundStats[] = [];
      let heartbeatsPerClient = Number.POSITIVE_INFINITY;
      for (let r = 0; r < rounds; r++) {
        // Interleaved so both sides see the same machine load.
        without.push(await closedLoop(requests, CONCURRENCY, call));
        const clients = await openClients(server, CLIENTS);
        try {
          await new Promise((resolve) => setTimeout(resolve, 2 * HEARTBEAT_MS)); // all connected and beating before the round
          const before = clients.map((c) => c.heartbeats);
          const started = Date.now();
          with500.push(await closedLoop(requests, CONCURRENCY, call));
          // A fast round can end before the next beat: the clients are checked over two intervals at least.
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 2 * HEARTBEAT_MS - Date.now())));
          heartbeatsPerClient = Math.min(heartbeatsPerClient, ...clients.map((c, i) => c.heartbeats - before[i]!));
          if (clients.some((c) => c.socket.destroyed)) throw new Error('a stream client was disconnected during the round');
        } finally {
          clients.forEach((c) => c.socket.destroy());
        }
        ctx.log(`  round ${r + 1}/${rounds}: no streams ${Math.round(without[r]!.throughput)}/s p50 ${without[r]!.p50.toFixed(2)} ms; ${CLIENTS} streams ${Math.round(with500[r]!.throughput)}/s p50 ${with500[r]!.p50.toFixed(2)} ms`);
      }
      if (!(heartbeatsPerClient >= 1)) throw new Error(`a stream client received no heartbeat during a round (${heartbeatsPerClient})`);
      const base = summarise(without);
      const loaded = summarise(with500);
      const baseline = `the same server with no open streams, c=${CONCURRENCY}`;
      const note = `${CLIENTS} SSE clients (event_type=model.loaded, heartbeat every ${HEARTBEAT_MS} ms), ${requests} sync requests/round x ${rounds} rounds, tiny MatMul`;
      return [
        withTarget(result(`streams.c${CONCURRENCY}.throughput`, 'req/s', true, loaded.throughput, { name: baseline, value: base.throughput }, note), { ratioAtLeast: 0.9 }),
        detail(result(`streams.c${CONCURRENCY}.p50`, 'ms', false, loaded.p50, { name: baseline, value: base.p50 })),
        detail(result(`streams.c${CONCURRENCY}.p99`, 'ms', false, loaded.p99, { name: baseline, value: base.p99 })),
      ];
    } finally {
      await server.stop();
    }
  },
};
