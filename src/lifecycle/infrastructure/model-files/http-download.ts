import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { ModelSourceError } from './model-file.errors.js';
import { redactUrl } from './model-source.js';

export interface DownloadLogger {
  log(message: string): void;
}

export interface DownloadOptions {
  logger: DownloadLogger;
  /** Abort when no byte (or no response) arrives for this long. */
  idleTimeoutMs: number;
  /** Log progress at most every this many ms when the size is unknown or the 10% step is slow. */
  progressIntervalMs?: number;
  /** Called as bytes arrive (every chunk), for live progress bars; `total` is null when unknown. */
  onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadProgress {
  url: string;
  bytes: number;
  total: number | null;
  done: boolean;
}

export type DownloadOutcome = { status: 'ok'; bytes: number } | { status: 'not-found' };

/**
 * Streams `url` to `destination` through `<destination>.part` and renames it into place, so
 * the final name only ever holds a complete body. A 404 is reported as `not-found` (the caller
 * decides whether the file was optional); any other non-2xx or a short body throws.
 */
export async function downloadFile(url: URL, destination: string, options: DownloadOptions): Promise<DownloadOutcome> {
  const shown = redactUrl(url);
  const controller = new AbortController();
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdleTimer = (): void => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(
      () => controller.abort(new Error(`no data for ${options.idleTimeoutMs} ms`)),
      options.idleTimeoutMs,
    );
  };
  const partial = `${destination}.part`;
  try {
    armIdleTimer();
    let response: Response;
    try {
      // identity: a compressed body would make content-length useless for progress and checks.
      response = await fetch(url, { redirect: 'follow', signal: controller.signal, headers: { 'accept-encoding': 'identity' } });
    } catch (cause) {
      throw new ModelSourceError(`cannot fetch ${shown}: ${describe(cause)}`, { cause });
    }
    if (response.status === 404) {
      await response.body?.cancel().catch(() => undefined);
      return { status: 'not-found' };
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      throw new ModelSourceError(`cannot fetch ${shown}: HTTP ${response.status} ${response.statusText}`.trimEnd(), {
        details: { http_status: response.status },
      });
    }
    const lengthHeader = response.headers.get('content-length');
    const total = lengthHeader !== null && !response.headers.get('content-encoding') ? Number(lengthHeader) : undefined;
    const progress = progressReporter(shown, total, options);
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        armIdleTimer();
        progress.update(bytes);
        options.onProgress?.({ url: shown, bytes, total: total ?? null, done: false });
        callback(null, chunk);
      },
    });
    try {
      const body = Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>);
      await pipeline(body, counter, createWriteStream(partial));
    } catch (cause) {
      throw new ModelSourceError(`download of ${shown} failed after ${bytes} bytes: ${describe(cause)}`, { cause });
    }
    if (total !== undefined && Number.isFinite(total) && bytes !== total) {
      throw new ModelSourceError(`download of ${shown} truncated: got ${bytes} of ${total} bytes`);
    }
    await rename(partial, destination);
    progress.done(bytes);
    options.onProgress?.({ url: shown, bytes, total: total ?? null, done: true });
    return { status: 'ok', bytes };
  } finally {
    clearTimeout(idleTimer);
    await rm(partial, { force: true });
  }
}

function progressReporter(shown: string, total: number | undefined, options: DownloadOptions) {
  const intervalMs = options.progressIntervalMs ?? 5000;
  const started = Date.now();
  let lastLogAt = started;
  let nextStep = 1;
  const known = total !== undefined && Number.isFinite(total) && total > 0;
  return {
    update(bytes: number): void {
      const now = Date.now();
      const step = known ? Math.floor((bytes / total) * 10) : 0;
      if (step >= nextStep || now - lastLogAt >= intervalMs) {
        if (step >= nextStep) nextStep = step + 1;
        lastLogAt = now;
        const percent = known ? ` (${Math.floor((bytes / total) * 100)}%)` : '';
        options.logger.log(`downloading ${shown}: ${formatBytes(bytes)} / ${known ? formatBytes(total) : 'unknown size'}${percent}`);
      }
    },
    done(bytes: number): void {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      options.logger.log(`downloaded ${shown}: ${formatBytes(bytes)} in ${seconds} s`);
    },
  };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici wraps the socket error ("fetch failed"); the cause says what really happened.
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
