import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import type { DatabaseKind } from './bench-database.js';
import type { BenchResult } from './stats.js';

export interface MachineInfo {
  cpus: number;
  cpu_model: string;
  mem_gb: number;
  node: string;
  os: string;
  database: DatabaseKind;
  /** 1-minute load average at the start and the end of the run: the box is shared. */
  load_average: { start: number; end?: number };
}

export function machineInfo(database: DatabaseKind): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpu_model: list[0]?.model.trim() ?? 'unknown',
    mem_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${osType()} ${release()}`,
    database,
    load_average: { start: round2(loadavg()[0]!) },
  };
}

export const round2 = (v: number) => Math.round(v * 100) / 100;

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** ratio as "how ModelMora compares": ×faster/×slower is left to the reader via the arrow. */
function verdict(r: BenchResult): string {
  if (!Number.isFinite(r.ratio)) return '';
  const good = r.higher_is_better ? r.ratio >= 1 : r.ratio <= 1;
  return good ? 'ok' : 'worse';
}

export function renderTable(results: readonly BenchResult[]): string {
  const head = ['case', 'ModelMora', 'baseline', 'baseline value', 'ratio', 'better', ''];
  const rows = results.map((r) => [
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline_name,
    `${fmt(r.baseline_value)} ${r.unit}`,
    Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}x` : '-',
    r.higher_is_better ? 'higher' : 'lower',
    verdict(r),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 || i === 3 || i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
