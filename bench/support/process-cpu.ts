import { readdirSync, readFileSync } from 'node:fs';

// Linux's USER_HZ: /proc reports CPU time in these ticks.
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3, utime 14 and stime 15 (1-based), so indexes 11 and 12 here.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The live children of `pid` (model workers of a server), from /proc. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * CPU used by a server, its workers and this process between `start()` and `stop()`: where the
 * time goes, independent of how busy the machine's other tenants keep the cores.
 */
export function cpuMeter(serverPid: number) {
  const sample = () => {
    const workers = childPids(serverPid);
    return { server: cpuSeconds(serverPid), workers: workers.reduce((s, p) => s + cpuSeconds(p), 0), client: process.cpuUsage() };
  };
  const start = sample();
  return {
    stop() {
      const end = sample();
      const client = process.cpuUsage(start.client);
      return { server: end.server - start.server, workers: end.workers - start.workers, client: (client.user + client.system) / 1e6 };
    },
  };
}
