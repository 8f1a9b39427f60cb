import { describe, expect, it } from '@jest/globals';
import { fixedEventContext, specFor } from '../../../test/support/given-when-then.js';
import type { DomainEvent, EventContext } from '../../shared/domain/event-envelope.js';
import { decideLifecycle as d } from './model-lifecycle.decide.js';
import { emptyLifecycle, evolveLifecycle, type LifecycleState } from './model-lifecycle.state.js';
import { planEviction, planOverBudget } from './eviction.js';

const MGR = 'cc0e8400-e29b-41d4-a716-446655440008';
const M = 'acme/matmul';
type Cmd = (s: LifecycleState, ctx: EventContext) => DomainEvent[];
const given = specFor<LifecycleState, Cmd>({ initial: emptyLifecycle, evolve: evolveLifecycle, decide: (s, c, ctx) => c(s, ctx) });

const loadedPayload = { model_id: M, version: 'v1', memory_mb: 41.5, process_id: 4242, task_type: 'tensor', load_time_ms: 120, inputs: [], outputs: [] };
const history = (...steps: Cmd[]): DomainEvent[] => {
  const events: DomainEvent[] = [];
  for (const step of steps) events.push(...step(events.reduce(evolveLifecycle, emptyLifecycle()), fixedEventContext('2025-12-04T10:25:00.000Z')));
  return events;
};
const started = history((s, c) => d.startLoad(s, MGR, M, 'v1', c));
const loaded = history((s, c) => d.startLoad(s, MGR, M, 'v1', c), (s, c) => d.loaded(s, MGR, loadedPayload, c));

describe('ModelLifecycleManager decisions', () => {
  it('starts a load of an unloaded model, and does nothing for one already running that version', () => {
    given([]).when((s, c) => d.startLoad(s, MGR, M, 'v1', c)).then([{ event_type: 'model.load.started', payload: { model_id: M, version: 'v1' } }]);
    given(loaded).when((s, c) => d.startLoad(s, MGR, M, 'v1', c)).then([]);
  });

  it('records model.loaded with the measured memory and the real pid, only after a load started', () => {
    given(started).when((s, c) => d.loaded(s, MGR, loadedPayload, c)).then([{ event_type: 'model.loaded', payload: loadedPayload }]);
    given([]).when((s, c) => d.loaded(s, MGR, loadedPayload, c)).thenFails('INVALID_STATE_TRANSITION');
  });

  it('unloads with the uptime since the load, and refuses to unload what is not loaded', () => {
    given(loaded).when((s, c) => d.unload(s, MGR, M, 'manual', c), fixedEventContext('2025-12-04T11:25:00.000Z')).then([
      { event_type: 'model.unloaded', payload: { model_id: M, reason: 'manual', uptime_seconds: 3600, version: 'v1' } },
    ]);
    given([]).when((s, c) => d.unload(s, MGR, M, 'manual', c)).thenFails('MODEL_NOT_LOADED');
  });

  it('moves health loaded → unhealthy → loaded, each once', () => {
    const unhealthy = [...loaded, ...history((s, c) => d.health(loaded.reduce(evolveLifecycle, emptyLifecycle()), MGR, M, 'unhealthy', 'Health check timeout', c))];
    given(loaded).when((s, c) => d.health(s, MGR, M, 'unhealthy', 'Health check timeout', c)).then([
      { event_type: 'model.health.changed', payload: { model_id: M, previous_state: 'loaded', new_state: 'unhealthy', error_message: 'Health check timeout' } },
    ]);
    given(unhealthy).when((s, c) => d.health(s, MGR, M, 'unhealthy', 'again', c)).then([]);
    given(unhealthy).when((s, c) => d.health(s, MGR, M, 'loaded', null, c)).then([
      { event_type: 'model.health.changed', payload: { model_id: M, previous_state: 'unhealthy', new_state: 'loaded', error_message: null } },
    ]);
    given([]).when((s, c) => d.health(s, MGR, M, 'loaded', null, c)).thenFails('INVALID_STATE_TRANSITION');
  });

  it('records a crash as failed, then unloaded with reason crashed', () => {
    const events = given(loaded).when((s, c) => d.crashed(s, MGR, M, 'worker exited (signal SIGKILL)', c)).events();
    expect(events.map((e) => [e.event_type, e.payload.new_state ?? e.payload.reason])).toEqual([['model.health.changed', 'failed'], ['model.unloaded', 'crashed']]);
  });

  it('fails a load, after which a new load may start', () => {
    const failed = [...started, ...history((s, c) => d.loadFailed(started.reduce(evolveLifecycle, emptyLifecycle()), MGR, M, { code: 'INVALID_CHECKSUM', message: 'mismatch' }, c))];
    expect(failed[1]!.payload).toEqual({ model_id: M, version: 'v1', error_code: 'INVALID_CHECKSUM', error_message: 'mismatch' });
    given(failed).when((s, c) => d.startLoad(s, MGR, M, 'v1', c)).then([{ event_type: 'model.load.started', payload: { model_id: M, version: 'v1' } }]);
  });

  it('reconciles after a restart: running models unloaded as crashed, a load in flight failed', () => {
    const other = history((s, c) => d.startLoad(s, MGR, 'acme/other', 'v1', c));
    given([...loaded, ...other]).when((s, c) => d.reconcile(s, MGR, () => false, c)).then([
      { event_type: 'model.unloaded', payload: { model_id: M, reason: 'crashed', uptime_seconds: 300, version: 'v1' } },
      { event_type: 'model.load.failed', payload: { model_id: 'acme/other', version: 'v1', error_code: 'LOAD_FAILED', error_message: 'the server stopped during the load' } },
    ]);
  });
});

describe('LRU eviction', () => {
  const running = [
    { modelId: 'a/1', memoryMb: 100, lastUsedMs: 3 },
    { modelId: 'a/2', memoryMb: 100, lastUsedMs: 1 },
    { modelId: 'a/3', memoryMb: 100, lastUsedMs: 2 },
  ];

  it('evicts least recently used first until the new model fits the memory budget', () => {
    expect(planEviction('a/4', 200, running, { maxMemoryMb: 350, maxModels: 10 })).toEqual(['a/2', 'a/3']);
    expect(planEviction('a/4', 50, running, { maxMemoryMb: 350, maxModels: 10 })).toEqual([]);
  });

  it('evicts to respect max_models', () => {
    expect(planEviction('a/4', 0, running.slice(0, 2), { maxMemoryMb: 1000, maxModels: 2 })).toEqual(['a/2']);
  });

  it('refuses a model that cannot fit alone', () => {
    expect(() => planEviction('a/4', 500, running, { maxMemoryMb: 400, maxModels: 10 })).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_MEMORY' }) as unknown as Error);
  });

  it('sheds LRU models when measured memory went over the budget, never the last used one', () => {
    expect(planOverBudget(running, { maxMemoryMb: 150, maxModels: 10 })).toEqual(['a/2', 'a/3']);
    expect(planOverBudget([running[0]!], { maxMemoryMb: 10, maxModels: 10 })).toEqual([]);
  });
});
