import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SseLimits {
  /** A comment line this often; a connection that took nothing for a whole interval while data waited is closed. */
  heartbeatMs: number;
}

/** Why a channel closed: the client left, the server ended it, or the client stopped reading. */
export type SseCloseReason = 'client-gone' | 'ended' | 'overflow' | 'stalled';

const DEFAULT_LIMITS: SseLimits = { heartbeatMs: 15_000 };

/**
 * The open streams of one controller, at most `max` at once: ended before the HTTP server
 * closes, or a connected dashboard would hold a stopping server open forever.
 */
export class SseChannels {
  private readonly open = new Set<SseChannel>();
  private reserved = 0;

  constructor(private readonly max = Number.POSITIVE_INFINITY) {}

  get count(): number {
    return this.open.size + this.reserved;
  }

  /** Holds a place for a stream about to open; false when every place is taken. */
  reserve(): boolean {
    if (this.count >= this.max) return false;
    this.reserved += 1;
    return true;
  }

  release(): void {
    this.reserved = Math.max(0, this.reserved - 1);
  }

  /** Tracks an opened channel (taking its reserved place, if any). */
  add(channel: SseChannel): SseChannel {
    this.release();
    this.open.add(channel);
    void channel.closed.then(() => this.open.delete(channel));
    return channel;
  }

  endAll(): void {
    for (const channel of this.open) channel.end();
  }
}

/**
 * One server-sent-events response on node's own request and response objects (Express's are
 * these; on Fastify, `reply.raw` after `reply.hijack()`): headers, frames, heartbeats, and
 * `closed` resolving with the reason once the stream is over.
 */
export class SseChannel {
  readonly closed: Promise<SseCloseReason>;
  private open = true;
  private readonly heartbeat: NodeJS.Timeout;
  private close: (reason: SseCloseReason) => void = () => undefined;
  private waitingAtBeat = false;
  private sentAtBeat = 0;

  constructor(req: IncomingMessage, private readonly res: ServerResponse, limits: SseLimits = DEFAULT_LIMITS) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    // Tells EventSource how long to wait before it reconnects (with Last-Event-ID).
    res.write('retry: 1000\n\n');
    this.heartbeat = setInterval(() => this.beat(), limits.heartbeatMs);
    this.closed = new Promise((resolve) => {
      this.close = (reason): void => {
        if (!this.open) return;
        this.open = false;
        clearInterval(this.heartbeat);
        resolve(reason);
      };
    });
    const gone = (): void => this.close('client-gone');
    req.on('close', gone);
    res.on('close', gone);
    res.on('error', gone);
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Bytes written and not yet taken by the socket (the kernel's buffer is full). */
  get buffered(): number {
    return this.res.writableLength;
  }

  /** Writes frames as they are (see `sseFrame`). */
  write(frames: string | Buffer): void {
    if (this.open) this.res.write(frames);
  }

  send(data: unknown, frame: { id?: string; event?: string } = {}): void {
    this.write(sseFrame(JSON.stringify(data), frame));
  }

  /** Resolves once the socket took what was buffered past its high-water mark (at once if it is below), or the stream closed. */
  drained(): Promise<void> {
    if (!this.open || !this.res.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.res.off('drain', done);
        resolve();
      };
      this.res.once('drain', done);
      void this.closed.then(done);
    });
  }

  /** Ends the stream normally: what is buffered is still sent. */
  end(): void {
    if (!this.open) return;
    this.close('ended');
    this.res.end();
  }

  /** Drops the connection and what is buffered for it: the client stopped reading. It can resume with Last-Event-ID. */
  abort(reason: 'overflow' | 'stalled'): void {
    if (!this.open) return;
    this.close(reason);
    this.res.destroy();
  }

  private beat(): void {
    // Data has waited since the last beat and the kernel took none of it: nobody reads.
    const sent = this.sent();
    if (this.waitingAtBeat && this.res.writableLength > 0 && sent === this.sentAtBeat) return this.abort('stalled');
    this.waitingAtBeat = this.res.writableLength > 0;
    this.sentAtBeat = sent;
    this.write(': keep-alive\n\n');
  }

  /** Bytes the socket handed to the kernel so far (its count includes what still waits in its buffer). */
  private sent(): number {
    const socket = this.res.socket;
    return socket ? socket.bytesWritten - socket.writableLength : 0;
  }
}

/** One SSE frame: `id:` and `event:` lines when given, then the (single-line) data. */
export function sseFrame(data: string, frame: { id?: string; event?: string } = {}): string {
  return `${frame.id !== undefined ? `id: ${frame.id}\n` : ''}${frame.event ? `event: ${frame.event}\n` : ''}data: ${data}\n\n`;
}
