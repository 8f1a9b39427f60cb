import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import type { DownloadProgress } from '../../infrastructure/model-files/index.js';

/** One file of a model being fetched, as the load-progress stream sends it. */
export interface LoadProgress {
  model_id: string;
  version: string;
  url: string;
  bytes: number;
  total: number | null;
  rate_bytes_per_second: number;
  eta_seconds: number | null;
  done: boolean;
}

/** At most this often per file: a fast local download must not flood the stream. */
const MIN_INTERVAL_MS = 100;
/** A download that failed never reports `done`: forget it once it has been silent this long. */
const STALE_AFTER_MS = 60_000;

/**
 * Live download progress of model loads, for `modelmora load`'s progress bars and the
 * dashboard. Not an event: bytes-so-far is a transient reading, never worth storing.
 */
@Injectable()
export class LoadProgressBoard {
  readonly updates$ = new Subject<LoadProgress>();
  private readonly files = new Map<string, { startedMs: number; sentMs: number; updatedMs: number; last: LoadProgress; trailing?: NodeJS.Timeout }>();

  /** The `onProgress` callback for one version's materialisation. */
  reporter(modelId: string, version: string): (p: DownloadProgress) => void {
    return (p) => this.report(modelId, version, p);
  }

  /** The downloads under way now (a late subscriber's starting picture). */
  current(modelId?: string): LoadProgress[] {
    const now = Date.now();
    for (const [key, f] of this.files) if (now - f.updatedMs > STALE_AFTER_MS) this.files.delete(key);
    return [...this.files.values()].map((f) => f.last).filter((p) => !modelId || p.model_id === modelId);
  }

  private report(modelId: string, version: string, p: DownloadProgress): void {
    const key = `${modelId}@${version} ${p.url}`;
    const now = Date.now();
    const file = this.files.get(key) ?? { startedMs: now, sentMs: 0, updatedMs: now, last: undefined as unknown as LoadProgress };
    const seconds = Math.max((now - file.startedMs) / 1000, 0.001);
    const rate = p.bytes / seconds;
    file.updatedMs = now;
    file.last = {
      model_id: modelId, version, url: p.url, bytes: p.bytes, total: p.total,
      rate_bytes_per_second: Math.round(rate),
      eta_seconds: p.total !== null && rate > 0 ? Math.max(0, Math.round(((p.total - p.bytes) / rate) * 10) / 10) : null,
      done: p.done,
    };
    this.files.set(key, file);
    if (p.done) this.files.delete(key);
    const wait = file.sentMs + MIN_INTERVAL_MS - now;
    if (!p.done && wait > 0) {
      // Throttled, not dropped: the latest reading goes out once the interval has passed.
      file.trailing ??= setTimeout(() => this.send(file), wait);
      return;
    }
    this.send(file);
  }

  private send(file: { sentMs: number; last: LoadProgress; trailing?: NodeJS.Timeout }): void {
    clearTimeout(file.trailing);
    file.trailing = undefined;
    file.sentMs = Date.now();
    this.updates$.next(file.last);
  }
}
