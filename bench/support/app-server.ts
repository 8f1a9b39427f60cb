import { tmpdir } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './app-modules.js';
import { HttpClient } from './http-client.js';

export interface AppServer {
  child: ChildProcess;
  url: string;
  http: HttpClient;
  output(): string;
  /** Resident memory of the server process (not its workers), MB, from /proc. */
  rssMb(): Promise<number>;
  /** RSS (MB) right after two full garbage collections; needs `exposeGc`. */
  rssAfterGcMb(): Promise<number>;
  stop(): Promise<void>;
}

export interface AppServerOptions {
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof for profiling a case. */
  nodeArgs?: string[];
  maxSockets?: number;
  /** LOG_LEVEL for the server; default: none set, so the server's own default (audit lines on). */
  logLevel?: string;
  /** Start with --expose-gc and the bench's gc-on-signal preload, for `rssAfterGcMb`. */
  exposeGc?: boolean;
}

const GC_PRELOAD = fileURLToPath(new URL('./gc-on-signal.mjs', import.meta.url));

/** The server entry; BENCH_SERVER_ENTRY overrides it (a file exporting nothing, started like main.js). */
const entry = () => process.env.BENCH_SERVER_ENTRY || join(ROOT, 'dist', 'src', 'main.js');

/** Servers still running: killed if the bench exits early (Ctrl-C, a crash), so none is left behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Kill `child` too if the bench exits early. */
export function trackChild(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** The compiled standalone server (`node dist/src/main.js`) as a child process on 127.0.0.1. */
export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  const port = await freePort();
  // The bench writes its models under the temp folder: a source root the server must allow.
  const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_BROKERS: '', MODELMORA_SOURCE_ROOTS: tmpdir(), ...options.env, PORT: String(port), HOST: '127.0.0.1' };
  delete env.LOG_LEVEL;
  if (options.logLevel) env.LOG_LEVEL = options.logLevel;
  const gcArgs = options.exposeGc ? ['--expose-gc', '--import', GC_PRELOAD] : [];
  const child = spawn(process.execPath, [...gcArgs, ...(options.nodeArgs ?? []), entry()], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let out = '';
  // Kept short: at the default log level the server writes a line per job.
  const keep = (d: Buffer) => (out = out.length > 40_000 ? out.slice(-20_000) + d : out + d);
  child.stdout!.on('data', keep);
  const gcWaiters: ((mb: number) => void)[] = [];
  let errBuf = '';
  child.stderr!.on('data', (d: Buffer) => {
    keep(d);
    errBuf += d;
    for (let m = /bench-gc-rss (\d+)\n/.exec(errBuf); m; m = /bench-gc-rss (\d+)\n/.exec(errBuf)) {
      errBuf = errBuf.slice(m.index + m[0].length);
      gcWaiters.shift()?.(Number(m[1]) / 1024 / 1024);
    }
    if (errBuf.length > 4096) errBuf = errBuf.slice(-256);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const http = new HttpClient(url, options.maxSockets ?? 64);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited during start:\n${out}`);
    try {
      if ((await http.get('/health/ready')).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url,
    http,
    output: () => out,
    async rssMb() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)![1]) / 1024;
    },
    rssAfterGcMb() {
      if (!options.exposeGc) return Promise.reject(new Error('start the server with exposeGc to measure RSS after GC'));
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer to the GC signal within 30 s')), 30_000);
        gcWaiters.push((mb) => {
          clearTimeout(timer);
          resolve(mb);
        });
        child.kill('SIGUSR2');
      });
    },
    async stop() {
      http.close();
      if (child.exitCode !== null) return;
      // SIGTERM: the server unloads its models (workers exit) before it exits.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
