import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROOT, distPath } from './app-modules.js';
import { HttpClient } from './http-client.js';
import { trackChild } from './app-server.js';

const ENTRY = fileURLToPath(new URL('./bare-worker-server.ts', import.meta.url));

export interface BareServer {
  http: HttpClient;
  stop(): Promise<void>;
}

/** bare-worker-server.ts as a child process (like our server: the client never shares its event loop). */
export async function startBareServer(modelDir: string, maxSockets = 64): Promise<BareServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, distPath('lifecycle/infrastructure/workers/worker-process.js'), modelDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bare server not ready within 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out = (out + d).slice(-20_000)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bare server exited (${code}) during start:\n${out}`));
    });
  });
  const http = new HttpClient(`http://127.0.0.1:${port}`, maxSockets);
  return {
    http,
    async stop() {
      http.close();
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
