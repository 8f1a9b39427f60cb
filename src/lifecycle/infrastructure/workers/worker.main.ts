/**
 * Entry point of a model worker process (forked by WorkerProcess). It owns one
 * ONNX Runtime session and answers IPC requests until told to shut down.
 */
import { WorkerMessageHandler } from './worker-message-handler.js';
import type { ChildMessage, WorkerRequest } from './worker-protocol.js';

const MB = 1024 * 1024;

function send(message: ChildMessage, then?: () => void): void {
  if (!process.connected || !process.send) return;
  try {
    process.send(message, undefined, {}, () => then?.());
  } catch {
    // The parent is gone; 'disconnect' ends this process.
  }
}

function isRequest(msg: unknown): msg is WorkerRequest {
  return typeof msg === 'object' && msg !== null && typeof (msg as { id?: unknown }).id === 'number' &&
    typeof (msg as { type?: unknown }).type === 'string';
}

if (!process.send) {
  process.stderr.write('worker.main must be started with child_process.fork (no IPC channel)\n');
  process.exit(2);
}

// A worker must never outlive its parent: the IPC channel closes when the parent dies.
process.on('disconnect', () => process.exit(0));

const handler = new WorkerMessageHandler(() => Math.round((process.memoryUsage().rss / MB) * 10) / 10);

process.on('message', (msg: unknown) => {
  if (!isRequest(msg)) {
    process.stderr.write(`ignoring malformed message: ${JSON.stringify(msg)}\n`);
    return;
  }
  void handler.handle(msg).then((reply) => {
    const exitAfter = msg.type === 'shutdown';
    send(reply, exitAfter ? () => process.exit(0) : undefined);
  });
});

send({ type: 'ready', pid: process.pid });
