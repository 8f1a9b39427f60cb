import type { Request, Response } from 'express';

/** A comment line every so often keeps proxies and idle timeouts from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

/**
 * The open streams of one controller: ended before the HTTP server closes, or a connected
 * dashboard would hold a stopping server open forever.
 */
export class SseChannels {
  private readonly open = new Set<SseChannel>();

  add(channel: SseChannel): SseChannel {
    this.open.add(channel);
    void channel.closed.then(() => this.open.delete(channel));
    return channel;
  }

  endAll(): void {
    for (const channel of this.open) channel.end();
  }
}

/**
 * One server-sent-events response: headers, `id:`/`data:` frames, keep-alive comments, and
 * `closed` resolving when the client goes away (so a follow loop can stop reading the store).
 */
export class SseChannel {
  readonly closed: Promise<void>;
  private open = true;
  private readonly keepAlive: NodeJS.Timeout;
  private markClosed: () => void = () => undefined;

  constructor(req: Request, private readonly res: Response) {
    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    // Tells EventSource how long to wait before it reconnects (with Last-Event-ID).
    res.write('retry: 1000\n\n');
    this.keepAlive = setInterval(() => this.comment('keep-alive'), KEEP_ALIVE_MS);
    this.closed = new Promise((resolve) => {
      this.markClosed = (): void => {
        if (!this.open) return;
        this.open = false;
        clearInterval(this.keepAlive);
        resolve();
      };
      req.on('close', this.markClosed);
      res.on('close', this.markClosed);
    });
  }

  get isOpen(): boolean {
    return this.open;
  }

  send(data: unknown, frame: { id?: number | string; event?: string } = {}): void {
    if (!this.open) return;
    let text = '';
    if (frame.id !== undefined) text += `id: ${frame.id}\n`;
    if (frame.event) text += `event: ${frame.event}\n`;
    this.res.write(`${text}data: ${JSON.stringify(data)}\n\n`);
  }

  comment(text: string): void {
    if (this.open) this.res.write(`: ${text}\n\n`);
  }

  end(): void {
    if (!this.open) return;
    this.markClosed();
    this.res.end();
  }
}
