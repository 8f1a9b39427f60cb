import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What to fork: the worker module and the node flags it needs. */
export interface WorkerEntry {
  modulePath: string;
  execArgv: string[];
}

/** The compiled `worker.main.js`, or the `.ts` under tsx from sources; execArgv is explicit so the child never inherits the parent's flags. */
export function defaultWorkerEntry(): WorkerEntry {
  const compiled = fileURLToPath(new URL('./worker.main.js', import.meta.url));
  if (existsSync(compiled)) return { modulePath: compiled, execArgv: [] };
  const source = fileURLToPath(new URL('./worker.main.ts', import.meta.url));
  // Resolved to an absolute URL so the child does not depend on its working directory.
  const tsx = createRequire(import.meta.url).resolve('tsx');
  return { modulePath: source, execArgv: ['--import', pathToFileURL(tsx).href] };
}
