import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = 'modelmora.pid';

/**
 * One process at a time opens an embedded data folder: PGlite itself does not check, two
 * processes on one folder would corrupt it, and advisory locks cannot tell them apart (each has
 * its own engine). A folder whose lock names a process that is gone (a crash) is taken over.
 */
export function lockDataFolder(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (Number.isInteger(owner) && alive(owner)) {
      throw new Error(`embedded database: the data folder ${dataDir} is in use by process ${owner}; stop it, or give this one another MODELMORA_DATA_DIR`);
    }
    rmSync(path, { force: true });
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
