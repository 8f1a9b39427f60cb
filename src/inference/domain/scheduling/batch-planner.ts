import { readServingConfig } from '../../../shared/domain/serving-config.js';

/** How a model's queued jobs are grouped into one worker call. */
export interface BatchingPolicy {
  /** At most this many jobs per worker call (≥ 1; 1 means no batching). */
  maxBatchSize: number;
  /** How long the oldest job may wait for a batch to fill before a partial batch goes (≥ 0). */
  maxWaitMs: number;
  /** At most this many estimated tokens per worker call (`estimateTokens`); a job over it alone still goes alone. */
  maxBatchTokens: number;
}

/** Model `config` keys that override the server defaults for that model. */
const BATCH_CONFIG_KEYS = { maxBatchSize: 'max_batch_size', maxWaitMs: 'max_batch_wait_ms' } as const;

/** The defaults, overridden by the model's valid `max_batch_size`/`max_batch_wait_ms`; an invalid one is ignored, since the model was accepted with it. */
export function resolveBatchingPolicy(defaults: BatchingPolicy, modelConfig: Readonly<Record<string, unknown>> | null | undefined): BatchingPolicy {
  const config = modelConfig ?? {};
  return {
    maxBatchSize: readInteger(config[BATCH_CONFIG_KEYS.maxBatchSize], 1) ?? defaults.maxBatchSize,
    maxWaitMs: readInteger(config[BATCH_CONFIG_KEYS.maxWaitMs], 0) ?? defaults.maxWaitMs,
    maxBatchTokens: readServingConfig(config).max_batch_tokens ?? defaults.maxBatchTokens,
  };
}

function readInteger(value: unknown, min: number): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  return Number.isSafeInteger(n) && n >= min ? n : undefined;
}

/** What a model's dispatcher should do when its worker can take work. */
export type DispatchPlan =
  | { kind: 'idle' }
  | { kind: 'dispatch'; count: number }
  /** Nothing to send yet: look again at `atMs` (or sooner, when a job arrives). */
  | { kind: 'wait'; atMs: number };

/** What the dispatcher knows about one model's queue (`JobPriorityQueue.size` / `oldestEnqueuedAtMs()`). */
export interface QueueSnapshot {
  size: number;
  oldestEnqueuedAtMs: number | undefined;
  /** Batches the model's worker is running now (default 0). */
  inflight?: number;
  /** Estimated tokens of the queued jobs in dequeue order; read only as far as a batch can reach. Absent: no token budget. */
  tokens?: Iterable<number>;
}

/** Send a full batch at once, anything to an idle worker, else hold a partial batch at most `maxWaitMs` (continuous batching: docs/architecture.md). */
export function planDispatch(policy: BatchingPolicy, queue: QueueSnapshot, nowMs: number): DispatchPlan {
  if (queue.size <= 0) return { kind: 'idle' };
  const count = fitting(policy, queue);
  if (count < queue.size || count >= policy.maxBatchSize) return { kind: 'dispatch', count };
  if ((queue.inflight ?? 0) === 0) return { kind: 'dispatch', count };
  const dueAtMs = (queue.oldestEnqueuedAtMs ?? nowMs) + policy.maxWaitMs;
  if (dueAtMs <= nowMs) return { kind: 'dispatch', count };
  return { kind: 'wait', atMs: dueAtMs };
}

/** How many queued jobs, from the head, one batch holds: at least one, at most maxBatchSize, within the token budget. */
function fitting(policy: BatchingPolicy, queue: QueueSnapshot): number {
  const limit = Math.min(queue.size, policy.maxBatchSize);
  if (!queue.tokens) return limit;
  let count = 0;
  let tokens = 0;
  for (const t of queue.tokens) {
    if (count >= limit || (count > 0 && tokens + t > policy.maxBatchTokens)) break;
    tokens += t;
    count++;
  }
  return Math.max(1, count);
}
