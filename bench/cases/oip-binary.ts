/**
 * OIP infer with an FP32 1×3×224×224 input (an image batch of one) through a model that
 * reduces it (GlobalAveragePool → 1×3×1×1): the binary tensor extension against the same
 * request as JSON data, same server, same run, interleaved by round.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import onnxProto from 'onnx-proto';
import { startAppServer } from '../support/app-server.js';
import type { BenchCase, BenchContext } from '../support/bench-context.js';
import { expectStatus } from '../support/http-client.js';
import { closedLoop, result, summarise, type BenchResult, type RoundStats } from '../support/stats.js';

const MODEL_ID = 'bench/global-avg-pool';
const SHAPE = [1, 3, 224, 224];

function writePoolModel(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const vi = (name: string, dims: Array<number | string>) => ({
    name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.create({
    irVersion: 8, producerName: 'modelmora-bench', opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'pool', node: [{ opType: 'GlobalAveragePool', input: ['x'], output: ['y'] }], input: [vi('x', ['N', 3, 'H', 'W'])], output: [vi('y', ['N', 3, 1, 1])] },
  });
  const path = join(dir, 'model.onnx');
  writeFileSync(path, onnx.ModelProto.encode(model).finish());
  return path;
}

/** One POST of raw bytes, no Content-Type (as tritonclient sends it); resolves with status and body. */
function postBytes(agent: Agent, url: URL, path: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path, agent, headers: { ...headers, 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const oipBinaryCase: BenchCase = {
  name: 'oip-binary',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const rounds = ctx.quick ? 3 : 5;
    const requests = ctx.quick ? 8 : 20;
    const modelPath = writePoolModel(ctx.db.tempDir('oip-pool'));
    const server = await startAppServer({ env: ctx.serverEnv(), nodeArgs: ctx.serverNodeArgs('oip-binary'), maxSockets: 8 });
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    try {
      const registration = { model_id: MODEL_ID, task_type: 'tensor', source_url: pathToFileURL(modelPath).href, checksum: await ctx.app.modelFiles.fileChecksum(modelPath) };
      expectStatus(await server.http.post('/api/v1/models', registration), 201, 'register');
      expectStatus(await server.http.post(`/api/v1/models/${encodeURIComponent(MODEL_ID)}/load`, {}), 200, 'load');

      // Pixel-like values in [0, 1), deterministic; the expected output is each channel's mean.
      const count = SHAPE.reduce((a, b) => a * b, 1);
      let seed = 42;
      const values = Float32Array.from({ length: count }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31));
      const plane = count / 3;
      const means = [0, 1, 2].map((c) => values.subarray(c * plane, (c + 1) * plane).reduce((s, v) => s + v, 0) / plane);

      const jsonBody = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: SHAPE, datatype: 'FP32', data: Array.from(values) }] }));
      const head = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: SHAPE, datatype: 'FP32', parameters: { binary_data_size: count * 4 } }], parameters: { binary_data_output: true } }));
      const binBody = Buffer.concat([head, Buffer.from(values.buffer)]);
      const url = new URL(server.url);
      const path = `/v2/models/${encodeURIComponent(MODEL_ID)}/infer`;

      const sides = [
        {
          name: 'OIP binary request',
          call: async () => {
            const r = await postBytes(agent, url, path, binBody, { 'inference-header-content-length': String(head.length) });
            if (r.status !== 200) throw new Error(`binary infer: HTTP ${r.status} ${r.body.toString()}`);
            const n = Number(r.headers['inference-header-content-length']);
            const y = r.body.subarray(n);
            return [0, 1, 2].map((c) => y.readFloatLE(c * 4));
          },
        },
        {
          name: 'OIP JSON request',
          call: async () => {
            const r = await postBytes(agent, url, path, jsonBody, {});
            if (r.status !== 200) throw new Error(`JSON infer: HTTP ${r.status} ${r.body.toString().slice(0, 300)}`);
            return (JSON.parse(r.body.toString()) as { outputs: Array<{ data: number[] }> }).outputs[0]!.data;
          },
        },
      ];
      for (const s of sides) {
        const y = await s.call();
        if (y.some((v, c) => Math.abs(v - means[c]!) > 1e-4)) throw new Error(`${s.name}: wrong output ${JSON.stringify(y)}, expected ${JSON.stringify(means)}`);
        for (let i = 0; i < 5; i++) await s.call(); // warm-up
      }
      ctx.log(`  request bodies: binary ${(binBody.length / 1048576).toFixed(2)} MiB, JSON ${(jsonBody.length / 1048576).toFixed(2)} MiB`);

      const stats = sides.map(() => [] as RoundStats[]);
      for (let r = 0; r < rounds; r++) {
        for (const [k, s] of sides.entries()) stats[k]!.push(await closedLoop(requests, 1, s.call));
        ctx.log(`  round ${r + 1}/${rounds}: ${sides.map((s, k) => `${s.name} p50 ${stats[k]![r]!.p50.toFixed(1)} ms, ${stats[k]![r]!.throughput.toFixed(1)}/s`).join('; ')}`);
      }
      const [bin, json] = stats.map(summarise) as [RoundStats, RoundStats];
      const note = `FP32 ${SHAPE.join('x')} → GlobalAveragePool, c=1, ${requests} requests/round; sync jobs through the queue`;
      return [
        result('oip-binary.p50', 'ms', false, bin.p50, { name: 'OIP JSON request, p50', value: json.p50 }, note),
        result('oip-binary.throughput', 'req/s', true, bin.throughput, { name: 'OIP JSON request, throughput', value: json.throughput }),
      ];
    } finally {
      agent.destroy();
      await server.stop();
    }
  },
};
