import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SourceNotAllowedError } from '../../../shared/domain/model-source-rules.js';
import { AddressNotAllowedError, checkedLookup, literalHostRefused } from './address-policy.js';
import { ModelSourceError } from './model-file.errors.js';
import { redactUrl } from './model-source.js';
import type { ByteBudget } from './source-policy.js';

export interface DownloadLogger {
  log(message: string): void;
}

export interface DownloadOptions {
  logger: DownloadLogger;
  /** Abort when no byte (or no response) arrives for this long. */
  idleTimeoutMs: number;
  /** Absolute time (ms since epoch) by which the whole version must be fetched. */
  deadlineAt: number;
  /** Bytes left for this version, shared by its files. */
  budget: ByteBudget;
  allowPrivateAddresses: boolean;
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

const MAX_REDIRECTS = 5;

/** Streams `url` to `destination` through `.part`, checking every redirect hop again; a 404 is `not-found`, anything else wrong throws. */
export async function downloadFile(url: URL, destination: string, options: DownloadOptions): Promise<DownloadOutcome> {
  const shown = redactUrl(url);
  const partial = `${destination}.part`;
  const controller = new AbortController();
  const abort = (why: string): void => controller.abort(new Error(why));
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdleTimer = (): void => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => abort(`no data for ${options.idleTimeoutMs} ms`), options.idleTimeoutMs);
  };
  const deadlineTimer = setTimeout(() => abort('the download deadline passed (MODELMORA_DOWNLOAD_TIMEOUT_MS)'), Math.max(0, options.deadlineAt - Date.now()));
  try {
    armIdleTimer();
    const response = await openFollowingRedirects(url, controller.signal, options.allowPrivateAddresses, shown);
    if (response.statusCode === 404) {
      response.destroy();
      return { status: 'not-found' };
    }
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      response.destroy();
      throw new ModelSourceError(`cannot fetch ${shown}: HTTP ${status} ${response.statusMessage ?? ''}`.trimEnd(), { details: { http_status: status } });
    }
    const lengthHeader = response.headers['content-length'];
    const total = lengthHeader !== undefined && !response.headers['content-encoding'] ? Number(lengthHeader) : undefined;
    if (total !== undefined && Number.isFinite(total) && options.budget.total + total > options.budget.limit) {
      response.destroy();
      throw tooLarge(shown, options.budget.limit);
    }
    const progress = progressReporter(shown, total, options);
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (!options.budget.take(chunk.length)) return callback(tooLarge(shown, options.budget.limit));
        armIdleTimer();
        progress.update(bytes);
        options.onProgress?.({ url: shown, bytes, total: total ?? null, done: false });
        callback(null, chunk);
      },
    });
    try {
      await pipeline(response, counter, createWriteStream(partial), { signal: controller.signal });
    } catch (cause) {
      if (cause instanceof ModelSourceError) throw cause;
      throw new ModelSourceError(`download of ${shown} failed after ${bytes} bytes: ${describe(controller.signal.reason ?? cause)}`, { cause });
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
    clearTimeout(deadlineTimer);
    await rm(partial, { force: true });
  }
}

async function openFollowingRedirects(start: URL, signal: AbortSignal, allowPrivate: boolean, shown: string): Promise<IncomingMessage> {
  let url = start;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ModelSourceError(`cannot fetch ${shown}: a redirect leads to the unsupported scheme ${url.protocol}`);
    }
    if (literalHostRefused(url, allowPrivate)) throw refused(shown, new AddressNotAllowedError(url.hostname));
    const response = await open(url, signal, allowPrivate, shown);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status < 300 || status >= 400 || status === 304 || !location) return response;
    response.destroy();
    if (hop + 1 > MAX_REDIRECTS) throw new ModelSourceError(`cannot fetch ${shown}: more than ${MAX_REDIRECTS} redirects`);
    url = new URL(location, url);
  }
}

function open(url: URL, signal: AbortSignal, allowPrivate: boolean, shown: string): Promise<IncomingMessage> {
  const options: RequestOptions = {
    method: 'GET',
    signal,
    // identity: a compressed body would make content-length useless for progress and checks.
    headers: { 'accept-encoding': 'identity', 'user-agent': 'modelmora' },
    lookup: checkedLookup(allowPrivate),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, options, resolve);
    req.on('error', (cause) => {
      const why = signal.aborted ? signal.reason : cause;
      reject(why instanceof AddressNotAllowedError ? refused(shown, why) : new ModelSourceError(`cannot fetch ${shown}: ${describe(why)}`, { cause }));
    });
    req.end();
  });
}

function refused(shown: string, cause: AddressNotAllowedError): SourceNotAllowedError {
  return new SourceNotAllowedError(`cannot fetch ${shown}: ${cause.message}`);
}

function tooLarge(shown: string, limit: number): ModelSourceError {
  return new ModelSourceError(`cannot fetch ${shown}: the model is larger than the ${formatBytes(limit)} allowed (MODELMORA_MAX_SOURCE_MB)`);
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

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
