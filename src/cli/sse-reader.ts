import type { ApiClient } from './api-client.js';

export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
}

/** Reads a server-sent-events response body frame by frame (blank-line separated). */
export async function readFrames(body: ReadableStream<Uint8Array>, onFrame: (frame: SseFrame) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const frame: SseFrame = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':') || line === '') continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
        else if (field === 'id' || field === 'event') frame[field] = value;
      }
      if (frame.data !== undefined || frame.id !== undefined) onFrame(frame);
    }
  }
}

/**
 * Follows an SSE endpoint until `signal` aborts, reconnecting after a drop with the last
 * `id:` seen (Last-Event-ID), so nothing is missed across the gap.
 */
export async function follow(client: ApiClient, path: string, onFrame: (frame: SseFrame) => void, signal: AbortSignal, onDrop?: (err: unknown) => void, onOpen?: () => void): Promise<void> {
  let lastId: string | undefined;
  let connected = false;
  while (!signal.aborted) {
    try {
      const res = await client.fetch(path, { signal, headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) } });
      if (!res.ok || !res.body) throw await client.refusal(res);
      connected = true;
      onOpen?.();
      await readFrames(res.body, (frame) => {
        if (frame.id !== undefined) lastId = frame.id;
        onFrame(frame);
      });
    } catch (err) {
      if (signal.aborted) return;
      // A stream that never opened is an answer (wrong URL, token, filter): say it and stop.
      if (!connected) throw err;
      onDrop?.(err);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
