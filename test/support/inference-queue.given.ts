/** The inference queue's decisions as given/when/then steps: shared by its unit specs. */
import { fixedEventContext, specFor } from './given-when-then.js';
import type { DomainEvent, EventContext } from '../../src/shared/domain/event-envelope.js';
import { decideQueue, type SubmitJobDecision } from '../../src/inference/domain/inference-queue.decide.js';
import type { RequeueReason } from '../../src/inference/domain/inference-queue.events.js';
import { emptyQueue, evolveQueue, type InferenceQueueState } from '../../src/inference/domain/inference-queue.state.js';

export const QUEUE = '11000000-e29b-41d4-a716-446655440013';
export const MODEL = 'sentence-transformers/all-MiniLM-L6-v2';
export const LIMITS = { maxQueueSize: 3, maxQueuedPerModel: 3, defaultTimeoutMs: { default: 30_000, txt2embed: 10_000 } };
export const job = (n: number) => `ee0e8400-e29b-41d4-a716-${String(n).padStart(12, '0')}`;
export const tensor = { x: { dims: [1, 2], data: [1, 2] } };

export type Cmd =
  | { submit: Partial<SubmitJobDecision> & { job_id: string } }
  | { start: string[] }
  | { complete: string; ms?: number }
  | { fail: string; code: string; message: string }
  | { timeOut: string }
  | { cancel: string }
  | { requeue: string; reason: RequeueReason; maxRetries?: number }
  | { recover: number };

function decide(s: InferenceQueueState, c: Cmd, ctx: EventContext): DomainEvent[] {
  if ('submit' in c) return decideQueue.submit(s, QUEUE, { model_id: MODEL, task_type: 'tensor', inputs: tensor, ...c.submit }, LIMITS, ctx);
  if ('start' in c) return decideQueue.start(s, QUEUE, c.start, ctx);
  if ('complete' in c) return decideQueue.complete(s, QUEUE, c.complete, c.ms ?? 45.3, ctx);
  if ('fail' in c) return decideQueue.fail(s, QUEUE, { job_id: c.fail, error_code: c.code, error_message: c.message, processing_time_ms: 1 }, ctx);
  if ('timeOut' in c) return decideQueue.timeOut(s, QUEUE, c.timeOut, ctx);
  if ('cancel' in c) return decideQueue.cancel(s, QUEUE, c.cancel, ctx);
  if ('requeue' in c) {
    return decideQueue.requeue(s, QUEUE, { job_id: c.requeue, reason: c.reason, error_message: 'worker exited', max_retries: c.maxRetries ?? 2 }, ctx);
  }
  return decideQueue.recover(s, QUEUE, c.recover, ctx);
}

export const given = specFor<InferenceQueueState, Cmd>({ initial: emptyQueue, evolve: evolveQueue, decide });

/** Builds a history step by step, each decision on the state the previous ones left. */
export function history(...cmds: Cmd[]): DomainEvent[] {
  const events: DomainEvent[] = [];
  for (const c of cmds) events.push(...decide(events.reduce(evolveQueue, emptyQueue()), c, fixedEventContext()));
  return events;
}
export const submitted = (n: number, extra: Partial<SubmitJobDecision> = {}): Cmd => ({ submit: { job_id: job(n), ...extra } });
