import { safeBlock, safeJson, safeText } from './safe-text.js';

/**
 * Output: aligned tables for people, `--json` for scripts (one JSON document on stdout).
 * Everything goes out through print/printError, so no server text reaches the terminal raw.
 */

export interface OutputOptions {
  json: boolean;
}

/** Writes the CLI's output to stdout; only its own line breaks pass unescaped. */
export function print(text: string): void {
  process.stdout.write(safeBlock(text));
}

export function printError(text: string): void {
  process.stderr.write(safeBlock(text));
}

export function printJson(value: unknown): void {
  print(`${safeJson(value, 2)}\n`);
}

/** A plain aligned table (like `ollama ps`): upper-case headers, two spaces between columns. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined || c === '' ? '-' : safeText(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...cells.map(line)].join('\n');
}

export function printTable(headers: string[], rows: (string | number | null | undefined)[][]): void {
  print(`${table(headers, rows)}\n`);
}

export function keyValues(pairs: [string, unknown][]): string {
  const keys = pairs.map(([k]) => safeText(k));
  const width = Math.max(...keys.map((k) => k.length));
  const shown = (v: unknown): string => (v === null || v === undefined || v === '' ? '-' : typeof v === 'object' ? safeJson(v) : safeText(v));
  return pairs.map(([, v], i) => `${`${keys[i]}:`.padEnd(width + 2)}${shown(v)}`).join('\n');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatMb(mb: number | null | undefined): string {
  if (mb === null || mb === undefined) return '-';
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${mb.toFixed(1)} MB`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '-';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`;
}

/** "3 minutes ago"-style age of an ISO time, for job lists. */
export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  return `${formatDuration((now - new Date(iso).getTime()) / 1000)} ago`;
}
