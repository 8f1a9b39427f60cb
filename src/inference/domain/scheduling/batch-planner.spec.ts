import { describe, expect, it } from '@jest/globals';
import { planDispatch, resolveBatchingPolicy, type BatchingPolicy } from './batch-planner.js';

const DEFAULTS: BatchingPolicy = { maxBatchSize: 8, maxWaitMs: 5, maxBatchTokens: 2048 };

describe('resolveBatchingPolicy', () => {
  it('given a model without overrides, then the defaults apply', () => {
    expect(resolveBatchingPolicy(DEFAULTS, {})).toEqual(DEFAULTS);
    expect(resolveBatchingPolicy(DEFAULTS, undefined)).toEqual(DEFAULTS);
  });

  it('given valid overrides, then the model gets them', () => {
    expect(resolveBatchingPolicy(DEFAULTS, { max_batch_size: 32, max_batch_wait_ms: 0 })).toEqual({ maxBatchSize: 32, maxWaitMs: 0, maxBatchTokens: 2048 });
    expect(resolveBatchingPolicy(DEFAULTS, { max_batch_size: '16', max_batch_wait_ms: ' 20 ' })).toEqual({ maxBatchSize: 16, maxWaitMs: 20, maxBatchTokens: 2048 });
  });

  it.each([
    [{ max_batch_size: 0 }],
    [{ max_batch_size: -4 }],
    [{ max_batch_size: 2.5 }],
    [{ max_batch_size: '8x' }],
    [{ max_batch_size: null, max_batch_wait_ms: -1 }],
    [{ max_batch_size: Infinity, max_batch_wait_ms: NaN }],
    [{ max_batch_size: true, max_batch_wait_ms: '1e3' }],
  ])('given invalid overrides %p, then they are ignored', (config) => {
    expect(resolveBatchingPolicy(DEFAULTS, config)).toEqual(DEFAULTS);
  });

  it('given a model with max_batch_tokens, then its token budget applies', () => {
    expect(resolveBatchingPolicy(DEFAULTS, { max_batch_tokens: 512 })).toEqual({ ...DEFAULTS, maxBatchTokens: 512 });
    expect(resolveBatchingPolicy(DEFAULTS, { max_batch_tokens: 0 })).toEqual(DEFAULTS);
  });

  it('given one valid and one invalid override, then only the valid one applies', () => {
    expect(resolveBatchingPolicy(DEFAULTS, { max_batch_size: 4, max_batch_wait_ms: 'soon' })).toEqual({ maxBatchSize: 4, maxWaitMs: 5, maxBatchTokens: 2048 });
  });
});

describe('planDispatch', () => {
  it('gives an idle worker what is queued at once: a lone request never waits for a batch', () => {
    expect(planDispatch({ maxBatchSize: 4, maxWaitMs: 5, maxBatchTokens: 100 }, { size: 2, oldestEnqueuedAtMs: 100, inflight: 0 }, 100)).toEqual({ kind: 'dispatch', count: 2 });
  });

  const policy: BatchingPolicy = { maxBatchSize: 4, maxWaitMs: 10, maxBatchTokens: 100 };

  it('given an empty queue, then it is idle', () => {
    expect(planDispatch(policy, { size: 0, oldestEnqueuedAtMs: undefined }, 100)).toEqual({ kind: 'idle' });
  });

  it('given a full batch waiting, then a full batch goes at once', () => {
    expect(planDispatch(policy, { size: 9, oldestEnqueuedAtMs: 100 }, 100)).toEqual({ kind: 'dispatch', count: 4 });
  });

  it('given a partial batch younger than maxWaitMs, then it waits until the oldest job is due', () => {
    expect(planDispatch(policy, { size: 2, oldestEnqueuedAtMs: 95, inflight: 1 }, 100)).toEqual({ kind: 'wait', atMs: 105 });
  });

  it('given a partial batch whose oldest job is due, then the partial batch goes', () => {
    expect(planDispatch(policy, { size: 2, oldestEnqueuedAtMs: 90, inflight: 1 }, 100)).toEqual({ kind: 'dispatch', count: 2 });
  });

  it('given maxWaitMs 0, then a partial batch never waits', () => {
    expect(planDispatch({ maxBatchSize: 4, maxWaitMs: 0, maxBatchTokens: 100 }, { size: 1, oldestEnqueuedAtMs: 100 }, 100)).toEqual({ kind: 'dispatch', count: 1 });
  });

  it('given queued jobs whose tokens exceed the budget, then a batch holds what fits and goes at once, busy worker or not', () => {
    // 40 + 50 fit in 100; the third (30) would make 120.
    expect(planDispatch(policy, { size: 3, oldestEnqueuedAtMs: 100, inflight: 1, tokens: [40, 50, 30] }, 100)).toEqual({ kind: 'dispatch', count: 2 });
  });

  it('given a job over the whole budget at the head, then it goes alone rather than never', () => {
    expect(planDispatch(policy, { size: 2, oldestEnqueuedAtMs: 100, inflight: 1, tokens: [5_000, 10] }, 100)).toEqual({ kind: 'dispatch', count: 1 });
  });

  it('given jobs within the budget, then count and wait decide as before (a busy worker lets a partial batch fill)', () => {
    expect(planDispatch(policy, { size: 2, oldestEnqueuedAtMs: 95, inflight: 1, tokens: [10, 10] }, 100)).toEqual({ kind: 'wait', atMs: 105 });
    expect(planDispatch(policy, { size: 6, oldestEnqueuedAtMs: 95, inflight: 1, tokens: [1, 1, 1, 1, 1, 1] }, 100)).toEqual({ kind: 'dispatch', count: 4 });
  });
});
