/**
 * The baseline for "overhead over the worker": a bare node:http server that parses
 * the same JSON body as POST /api/v1/infer/{model_id}, hands its `inputs` to a
 * WorkerProcess (the class the app uses, from dist/, with the options the lifecycle
 * gives a worker) and answers the outputs. No queue, no events, no validation
 * beyond JSON.parse: the floor our pipeline is measured against.
 *
 *   node --import tsx bench/support/bare-worker-server.ts <worker-process.js> <model dir>
 * Prints `listening <port>` once the model is loaded.
 */
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const [workerModule, modelDir] = process.argv.slice(2);
if (!workerModule || !modelDir) throw new Error('usage: bare-worker-server.ts <worker-process.js> <model dir>');
const { WorkerProcess } = (await import(pathToFileURL(workerModule).href)) as typeof import('../../src/lifecycle/infrastructure/workers/worker-process.js');

const worker = new WorkerProcess({ label: 'bare', onOutput: () => undefined });
await worker.start();
await worker.load({ modelDir, taskType: 'tensor', runtimeOptions: { intraOpNumThreads: 1 } });

const reply = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
};

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let inputs: unknown;
    try {
      inputs = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { inputs?: unknown }).inputs;
    } catch {
      return reply(res, 400, { error_code: 'VALIDATION_ERROR', message: 'body is not JSON' });
    }
    worker.infer([inputs as never]).then(
      ({ results }) => {
        const r = results[0];
        if (r?.ok) reply(res, 200, { outputs: r.outputs });
        else reply(res, 500, { error_code: 'INFERENCE_FAILED', message: JSON.stringify(r) });
      },
      (err: unknown) => reply(res, 500, { error_code: 'INFERENCE_FAILED', message: String(err) }),
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`listening ${port}\n`);
});
const stop = () => {
  server.close();
  worker.shutdown().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
