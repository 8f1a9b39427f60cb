import { readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testSourceRoots } from './databases.js';
import { testHttpAdapter } from './http-adapter.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves with the exit code/signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The real standalone server (`dist/src/main.js`) as a child process, for tests that
 * kill it: SIGKILL, SIGTERM, restart on the same data.
 */
export async function startServerProcess(env: Record<string, string | undefined>, port: number): Promise<ServerProcess> {
  // The compiled server (jest's global setup builds it): Nest's injection needs decorator metadata.
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    // Kafka only when the suite asks for it: a killed server's consumer stays in its group
    // until the session times out, and would stall the next one's start and stop.
    env: { ...withoutKafka(process.env), MODELMORA_SOURCE_ROOTS: testSourceRoots().join(delimiter), MODELMORA_ALLOW_PRIVATE_SOURCES: 'true', MODELMORA_HTTP_ADAPTER: testHttpAdapter(), ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited during start:\n${out}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become ready in 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, url, output: () => out, exited };
}

function withoutKafka(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { KAFKA_BROKERS: _brokers, ...rest } = env;
  return rest;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An exited orphan stays a zombie until PID 1 reaps it, and a container's PID 1 may take its
  // time (or never): signal 0 still reaches a zombie, so ask the kernel for its state.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return process.platform !== 'linux';
  }
}

export { eventually } from './eventually.js';

let nextPort = 18_000 + Math.floor(Math.random() * 2000);
export const freePort = (): number => nextPort++;
