import { describe, expect, it } from '@jest/globals';
import { fixedEventContext } from '../../../test/support/given-when-then.js';
import {
  crashed, d, given, healthChanged, loaded, loadedPayload, loadFailed, loadStarted, M, MGR, POLICY, T0, unloaded,
} from '../../../test/support/lifecycle.given.js';
import { planEviction, planOverBudget } from './eviction.js';

const load = (trigger: 'explicit' | 'lazy' | 'recovery' = 'explicit', version = 'v1') =>
  (s: Parameters<typeof d.startLoad>[0], c: Parameters<typeof d.startLoad>[4]) => d.startLoad(s, MGR, { modelId: M, version, trigger }, POLICY, c);

describe('ModelLifecycleManager decisions', () => {
  it('starts a load of an unloaded model, saying who asked, and does nothing for one already running that version', () => {
    given([]).when(load()).then([{ event_type: 'model.load.started', payload: { model_id: M, version: 'v1', trigger: 'explicit' } }]);
    given([loadStarted(), loaded()]).when(load()).then([]);
  });

  it('takes any running version for a lazy load, and refuses to start over a running one for another version', () => {
    given([loadStarted(), loaded()]).when(load('lazy', 'v2')).then([]);
    given([loadStarted(), loaded()]).when(load('explicit', 'v2')).thenFails('INVALID_STATE_TRANSITION');
  });

  it('records model.loaded with the measured memory and the real pid, only after a load started', () => {
    given([loadStarted()]).when((s, c) => d.loaded(s, MGR, loadedPayload, c)).then([{ event_type: 'model.loaded', payload: loadedPayload }]);
    given([]).when((s, c) => d.loaded(s, MGR, loadedPayload, c)).thenFails('INVALID_STATE_TRANSITION');
  });

  it('unloads with the uptime since the load, and refuses to unload what is not loaded', () => {
    given([loadStarted(), loaded()]).when((s, c) => d.unload(s, MGR, M, 'manual', c), fixedEventContext('2025-12-04T11:25:00.000Z')).then([
      { event_type: 'model.unloaded', payload: { model_id: M, reason: 'manual', uptime_seconds: 3600, version: 'v1' } },
    ]);
    given([]).when((s, c) => d.unload(s, MGR, M, 'manual', c)).thenFails('MODEL_NOT_LOADED');
  });

  it('moves health loaded → unhealthy → loaded, each once', () => {
    const unhealthy = [loadStarted(), loaded(), healthChanged('loaded', 'unhealthy', undefined, 'Health check timeout')];
    given([loadStarted(), loaded()]).when((s, c) => d.health(s, MGR, M, 'unhealthy', 'Health check timeout', c)).then([
      { event_type: 'model.health.changed', payload: { model_id: M, previous_state: 'loaded', new_state: 'unhealthy', error_message: 'Health check timeout' } },
    ]);
    given(unhealthy).when((s, c) => d.health(s, MGR, M, 'unhealthy', 'again', c)).then([]);
    given(unhealthy).when((s, c) => d.health(s, MGR, M, 'loaded', null, c)).then([
      { event_type: 'model.health.changed', payload: { model_id: M, previous_state: 'unhealthy', new_state: 'loaded', error_message: null } },
    ]);
    given([]).when((s, c) => d.health(s, MGR, M, 'loaded', null, c)).thenFails('INVALID_STATE_TRANSITION');
  });

  it('records a crash as failed, then unloaded with reason crashed', () => {
    const events = given([loadStarted(), loaded()]).when((s, c) => d.crashed(s, MGR, M, 'worker exited (signal SIGKILL)', c)).events();
    expect(events.map((e) => [e.event_type, e.payload.new_state ?? e.payload.reason])).toEqual([['model.health.changed', 'failed'], ['model.unloaded', 'crashed']]);
  });

  it('fails a load, after which a new load may start', () => {
    given([loadStarted()]).when((s, c) => d.loadFailed(s, MGR, M, { code: 'INVALID_CHECKSUM', message: 'mismatch' }, c)).then([
      { event_type: 'model.load.failed', payload: { model_id: M, version: 'v1', error_code: 'INVALID_CHECKSUM', error_message: 'mismatch' } },
    ]);
    given([loadStarted(), loadFailed()]).when(load()).then([{ event_type: 'model.load.started', payload: { model_id: M, version: 'v1', trigger: 'explicit' } }]);
  });

  it('reconciles after a restart: running models unloaded as crashed, a load in flight failed', () => {
    given([loadStarted(), loaded(), loadStarted('explicit', T0, 'acme/other')]).when((s, c) => d.reconcile(s, MGR, () => false, c)).then([
      { event_type: 'model.unloaded', payload: { model_id: M, reason: 'crashed', uptime_seconds: 300, version: 'v1' } },
      { event_type: 'model.load.failed', payload: { model_id: 'acme/other', version: 'v1', error_code: 'LOAD_FAILED', error_message: 'the server stopped during the load' } },
    ]);
  });
});

describe('crash-loop breaker, from the recorded crashes', () => {
  const running = [loadStarted(), loaded()];
  const threeCrashes = [...running, ...crashed('2025-12-04T10:26:00.000Z'), loadStarted('recovery'), loaded(), ...crashed('2025-12-04T10:26:10.000Z'),
    loadStarted('recovery'), loaded(), ...crashed('2025-12-04T10:26:50.000Z')];

  it('refuses automatic loads once maxCrashes crashes fell within the window, successful reloads in between or not', () => {
    given(threeCrashes).when(load('recovery')).thenFails('LOAD_FAILED');
    given(threeCrashes).when(load('lazy')).thenFails('LOAD_FAILED');
  });

  it('lets an explicit load through, and the streak starts over after it', () => {
    given(threeCrashes).when(load('explicit')).then([{ event_type: 'model.load.started', payload: { model_id: M, version: 'v1', trigger: 'explicit' } }]);
    given([...threeCrashes, loadStarted('explicit'), loaded(), ...crashed('2025-12-04T10:27:00.000Z')]).when(load('recovery')).then([
      { event_type: 'model.load.started', payload: { model_id: M, version: 'v1', trigger: 'recovery' } },
    ]);
  });

  it('forgets nothing inside the window but does not count crashes spread wider than it', () => {
    const spread = [...running, ...crashed('2025-12-04T10:26:00.000Z'), loadStarted('recovery'), loaded(), ...crashed('2025-12-04T10:27:00.000Z'),
      loadStarted('recovery'), loaded(), ...crashed('2025-12-04T10:28:00.000Z')];
    given(spread).when(load('recovery')).then([{ event_type: 'model.load.started', payload: { model_id: M, version: 'v1', trigger: 'recovery' } }]);
  });

  it('counts a hung worker that was replaced, not a restart that found its worker gone', () => {
    const replaced = (at: string) => [healthChanged('loaded', 'unhealthy', at), unloaded('crashed', at), loadStarted('recovery', at), loaded(at)];
    const hungThrice = [...running, ...replaced('2025-12-04T10:26:00.000Z'), ...replaced('2025-12-04T10:26:10.000Z'), ...replaced('2025-12-04T10:26:20.000Z')];
    given([...hungThrice, unloaded('manual')]).when(load('lazy')).thenFails('LOAD_FAILED');
    const restartedThrice = [...running, unloaded('crashed'), loadStarted('recovery'), loaded(), unloaded('crashed'), loadStarted('recovery'), loaded(), unloaded('crashed')];
    given(restartedThrice).when(load('lazy')).then([{ event_type: 'model.load.started', payload: { model_id: M, version: 'v1', trigger: 'lazy' } }]);
  });
});

describe('LRU eviction', () => {
  const workers = [
    { modelId: 'a/1', memoryMb: 100, lastUsedMs: 3 },
    { modelId: 'a/2', memoryMb: 100, lastUsedMs: 1 },
    { modelId: 'a/3', memoryMb: 100, lastUsedMs: 2 },
  ];

  it('evicts least recently used first until the new model fits the memory budget', () => {
    expect(planEviction('a/4', 200, workers, { maxMemoryMb: 350, maxModels: 10 })).toEqual(['a/2', 'a/3']);
    expect(planEviction('a/4', 50, workers, { maxMemoryMb: 350, maxModels: 10 })).toEqual([]);
  });

  it('evicts to respect max_models', () => {
    expect(planEviction('a/4', 0, [workers[0]!, workers[1]!], { maxMemoryMb: 1000, maxModels: 2 })).toEqual(['a/2']);
  });

  it('refuses a model that cannot fit alone', () => {
    expect(() => planEviction('a/4', 500, workers, { maxMemoryMb: 400, maxModels: 10 })).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_MEMORY' }) as unknown as Error);
  });

  it('sheds LRU models when measured memory went over the budget, never the last used one', () => {
    expect(planOverBudget(workers, { maxMemoryMb: 150, maxModels: 10 })).toEqual(['a/2', 'a/3']);
    expect(planOverBudget([workers[0]!], { maxMemoryMb: 10, maxModels: 10 })).toEqual([]);
  });
});
