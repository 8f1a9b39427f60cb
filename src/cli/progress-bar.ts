import { formatBytes, formatDuration } from './render.js';
import { safeText } from './safe-text.js';

export interface ProgressReading {
  url: string;
  bytes: number;
  total: number | null;
  rate_bytes_per_second: number;
  eta_seconds: number | null;
  done: boolean;
}

const WIDTH = 28;

/** One line: name, bar, percent, bytes, rate and ETA, e.g. for `modelmora load`. */
export function progressLine(p: ProgressReading): string {
  const name = safeText(String(p.url).split('/').filter(Boolean).pop() ?? p.url);
  const known = p.total !== null && p.total > 0;
  const fraction = known ? Math.min(1, p.bytes / p.total!) : 0;
  const filled = Math.round(fraction * WIDTH);
  const bar = known ? `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}]` : '[' + '?'.repeat(3).padEnd(WIDTH, '.') + ']';
  const percent = known ? `${String(Math.floor(fraction * 100)).padStart(3)}%` : '  ?%';
  const size = `${formatBytes(p.bytes)}${known ? ` / ${formatBytes(p.total!)}` : ''}`;
  const rate = `${formatBytes(p.rate_bytes_per_second)}/s`;
  const eta = p.done ? 'done' : `ETA ${p.eta_seconds === null ? '?' : formatDuration(p.eta_seconds)}`;
  return `pulling ${name} ${bar} ${percent}  ${size}  ${rate}  ${eta}`;
}

/**
 * Draws progress lines on a terminal (stderr), redrawing the current file's line in place;
 * a finished file keeps its line. Off when stderr is not a terminal, so pipes stay clean.
 */
export class ProgressView {
  private current: string | undefined;
  private spinnerTimer: NodeJS.Timeout | undefined;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr, readonly enabled = Boolean(process.stderr.isTTY)) {}

  update(p: ProgressReading): void {
    if (!this.enabled) return;
    this.stopSpinner();
    if (this.current !== undefined && this.current !== p.url) this.out.write('\n');
    this.current = p.url;
    this.out.write(`\r\x1b[2K${progressLine(p)}`);
    if (p.done) {
      this.out.write('\n');
      this.current = undefined;
    }
  }

  /** A waiting line with a spinner (e.g. "starting worker") until the next update or finish(). */
  waiting(message: string): void {
    if (!this.enabled) return;
    if (this.current !== undefined) this.out.write('\n');
    this.current = undefined;
    this.stopSpinner();
    const frames = ['|', '/', '-', '\\'];
    let i = 0;
    const draw = (): void => void this.out.write(`\r\x1b[2K${frames[i++ % frames.length]} ${safeText(message)}`);
    draw();
    this.spinnerTimer = setInterval(draw, 120);
  }

  finish(): void {
    if (!this.enabled) return;
    const hadLine = this.current !== undefined || this.spinnerTimer !== undefined;
    this.stopSpinner();
    if (hadLine) this.out.write('\r\x1b[2K');
    this.current = undefined;
  }

  private stopSpinner(): void {
    if (this.spinnerTimer) clearInterval(this.spinnerTimer);
    this.spinnerTimer = undefined;
  }
}
