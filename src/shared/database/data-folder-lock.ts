import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = 'modelmora.pid';
/** How long a folder whose server is gone waits for that server's database process to finish closing. */
const ORPHAN_CLOSE_WAIT_MS = 10_000;

export interface DataFolderLock {
  /** Another process that has the folder open for this one (the embedded database's). */
  addOwner(pid: number): void;
  release(): void;
}

/**
 * One server at a time opens an embedded data folder: PGlite does not check, and two engines on
 * one folder would corrupt it. The lock names the server, then its database process; a folder
 * whose owners are gone is taken over, one whose database process still closes is waited for.
 */
export async function lockDataFolder(dataDir: string): Promise<DataFolderLock> {
  const path = join(dataDir, LOCK_FILE);
  const waitUntil = Date.now() + ORPHAN_CLOSE_WAIT_MS;
  for (;;) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      return { addOwner: (pid) => appendFileSync(path, `${pid}\n`), release: () => rmSync(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const [server, ...others] = owners(path);
    if (server !== undefined && alive(server)) {
      throw new Error(`embedded database: the data folder ${dataDir} is in use by process ${server}; stop it, or give this one another MODELMORA_DATA_DIR`);
    }
    const closing = others.find(alive);
    if (closing !== undefined && Date.now() > waitUntil) {
      throw new Error(`embedded database: the data folder ${dataDir} is in use by process ${closing}, which did not close within ${ORPHAN_CLOSE_WAIT_MS / 1000} s`);
    }
    if (closing === undefined) rmSync(path, { force: true });
    else await new Promise((r) => setTimeout(r, 50));
  }
}

function owners(path: string): number[] {
  try {
    return readFileSync(path, 'utf8').split('\n').map((l) => Number.parseInt(l, 10)).filter(Number.isInteger);
  } catch {
    return []; // released meanwhile
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
