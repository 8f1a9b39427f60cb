import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { databaseBackends, testStorage, type TestStorage } from '../../support/databases.js';
import { freePort, startServerProcess, type ServerProcess } from '../../support/server-process.js';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CLI = 'dist/src/cli/main.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `modelmora` command as a user would, with only the given environment for it. */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Parses `--json` output, failing with what the command printed when it is not JSON. */
export function json(run: CliRun): any {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
}

export function sha256Of(path: string): string {
  return `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
}

export interface RunningServer {
  server: ServerProcess;
  storage: TestStorage;
  stop(): Promise<void>;
}

/** The real standalone server on the first available database backend, with the given env. */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const storage = await testStorage(databaseBackends()[0]!);
  const server = await startServerProcess({
    DATABASE_URL: storage.options.databaseUrl ?? '',
    MODELMORA_DATA_DIR: storage.options.dataDir,
    MODELMORA_MODEL_DIR: storage.options.modelDir,
    ...env,
  }, freePort());
  return {
    server,
    storage,
    async stop() {
      server.child.kill('SIGTERM');
      await server.exited;
      await storage.cleanup();
    },
  };
}
