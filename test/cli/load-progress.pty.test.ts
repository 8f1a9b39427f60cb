import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually.js';
import { CLI, ROOT, runCli, sha256Of, startServer, type RunningServer } from './support/cli-harness.js';
import { writePaddedMatMulModel } from './support/padded-model.js';

const MODEL = 'acme/slow-download';
const PARTS = 4;

/** The highest percentage a progress bar has drawn so far in the terminal output. */
function highestPercent(terminal: string): number {
  const shown = [...terminal.matchAll(/pulling model\.onnx \[[#.]+\]\s+(\d+)%/g)].map((m) => Number(m[1]));
  return shown.length ? Math.max(...shown) : -1;
}

/**
 * `modelmora load` in a real terminal (a pty from `script`) while the model file is served
 * in parts: each part is sent only once the bar shows the previous one, so the bar is seen
 * advancing while the download is still under way.
 */
describe('modelmora load shows a progress bar in a terminal', () => {
  let running: RunningServer;
  let files: Server;
  let dir: string;
  let body: Buffer;
  let terminal = '';
  let sendPart: (n: number) => void = () => undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modelmora-progress-'));
    body = readFileSync(writePaddedMatMulModel(join(dir, 'model'), 64 * 1024)); // ~1 MiB
    files = createServer((req, res) => {
      if (req.url !== '/model.onnx') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      sendPart = (n) => writePart(res, n);
      writePart(res, 0);
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    running = await startServer();
  }, 120_000);
  afterAll(async () => {
    await running?.stop();
    files?.closeAllConnections();
    files?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function writePart(res: ServerResponse, n: number): void {
    const size = Math.ceil(body.length / PARTS);
    const part = body.subarray(n * size, (n + 1) * size);
    if (n === PARTS - 1) res.end(part);
    else res.write(part);
  }

  it('draws bytes, rate and ETA, advancing part by part, then reports the loaded model', async () => {
    const env = { MODELMORA_URL: running.server.url };
    const source = `http://127.0.0.1:${(files.address() as AddressInfo).port}/model.onnx`;
    const registered = await runCli(['models', 'register', MODEL, '--task-type', 'tensor', '--source', source, '--checksum', sha256Of(join(dir, 'model/model.onnx'))], env);
    expect(registered.code).toBe(0);

    const pty = spawn('script', ['-qefc', `${process.execPath} ${CLI} load ${MODEL}`, '/dev/null'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    pty.stdout.on('data', (d) => (terminal += d));
    const exited = new Promise<number | null>((resolve) => pty.on('close', resolve));

    const seen: number[] = [];
    for (let n = 1; n < PARTS; n++) {
      const sent = Math.floor((Math.min(n * Math.ceil(body.length / PARTS), body.length) / body.length) * 100);
      seen.push(await eventually(() => (highestPercent(terminal) >= sent ? highestPercent(terminal) : undefined), `the bar to show ${sent}% (part ${n} of ${PARTS})`));
      sendPart(n);
    }
    expect(await exited).toBe(0);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[0]).toBeLessThan(100);
    expect(terminal).toMatch(/pulling model\.onnx \[#+\.*\]\s+\d+%\s+[\d.]+ (KiB|MiB) \/ [\d.]+ (KiB|MiB)\s+[\d.]+ (B|KiB|MiB)\/s\s+ETA /);
    expect(terminal).toMatch(/100%.*done/);
    expect(terminal).toMatch(new RegExp(`loaded ${MODEL}@main pid \\d+ [\\d.]+ MB`));
  });
});
