import { describe, expect, it } from '@jest/globals';
import { crashed, healthChanged, loaded, loadFailed, loadStarted, M, POLICY, stateAfter, unloaded } from '../../../test/support/lifecycle.given.js';
import { EventTypeRegistry } from '../../shared/domain/event-type-registry.js';
import { lifecycleEvents } from './model-lifecycle.events.js';
import { lifecycleUpcasters } from './model-lifecycle.upcasters.js';
import { planRecovery, type RecoveryCause } from './recovery.js';

const policy = { maxAttempts: 3, crashLoop: POLICY };
const plan = (events: Parameters<typeof stateAfter>[0], cause: RecoveryCause) => planRecovery(stateAfter(events).models[M]!, cause, policy);
const running = [loadStarted(), loaded()];

describe('recovery, planned from the recorded facts', () => {
  it('reloads a crashed model after the first back-off step; a successful load starts the count over', () => {
    expect(plan([...running, ...crashed()], 'crashed')).toEqual({ action: 'reload', version: 'v1', attempt: 1, delayMs: 500 });
    expect(plan([...running, ...crashed(), loadStarted('recovery'), loaded(), ...crashed('2025-12-04T10:40:00.000Z')], 'crashed')).toMatchObject({ attempt: 1 });
  });

  it('counts the failed reloads since the last success, backs off, and gives up past maxAttempts', () => {
    const failedReloads = (n: number) => Array.from({ length: n }, () => [loadStarted('recovery'), loadFailed()]).flat();
    expect(plan([...running, ...crashed(), ...failedReloads(1)], 'load_failed')).toEqual({ action: 'reload', version: 'v1', attempt: 2, delayMs: 1000 });
    expect(plan([...running, ...crashed(), ...failedReloads(2)], 'load_failed')).toEqual({ action: 'reload', version: 'v1', attempt: 3, delayMs: 2000 });
    expect(plan([...running, ...crashed(), ...failedReloads(3)], 'load_failed')).toEqual({ action: 'none', why: 'attempts_used_up' });
  });

  it('retries only failed reloads, never an operator\'s or a job\'s failed load', () => {
    expect(plan([loadStarted('explicit'), loadFailed()], 'load_failed')).toEqual({ action: 'none', why: 'not_needed' });
    expect(plan([loadStarted('lazy'), loadFailed()], 'load_failed')).toEqual({ action: 'none', why: 'not_needed' });
  });

  it('replaces a worker that still hangs, and nothing once it answers again', () => {
    const hung = [...running, healthChanged('loaded', 'unhealthy')];
    expect(plan(hung, 'unhealthy')).toEqual({ action: 'replace', attempt: 1, delayMs: 500 });
    expect(plan([...hung, healthChanged('unhealthy', 'loaded')], 'unhealthy')).toEqual({ action: 'none', why: 'not_needed' });
  });

  it('does not reload a model that is running again (a lazy load came first) or crash-looping', () => {
    expect(plan([...running, ...crashed(), loadStarted('lazy'), loaded()], 'crashed')).toEqual({ action: 'none', why: 'not_needed' });
    const loop = [...running, ...crashed(), loadStarted('recovery'), loaded(), ...crashed(), loadStarted('recovery'), loaded(), ...crashed()];
    expect(plan(loop, 'crashed')).toEqual({ action: 'none', why: 'crash_loop' });
  });

  it('reloads what a restart found gone', () => {
    expect(plan([...running, unloaded('crashed')], 'crashed')).toEqual({ action: 'reload', version: 'v1', attempt: 1, delayMs: 500 });
  });
});

describe('model.load.started versions', () => {
  it('reads a v1 start (no trigger) as an explicit load', () => {
    const registry = new EventTypeRegistry().register(...lifecycleEvents).addUpcaster(...lifecycleUpcasters);
    const v1 = { ...loadStarted().toEnvelope(), payload: { model_id: M, version: 'v1' }, version: 1 };
    const revived = registry.revive(v1);
    expect([revived.version, revived.payload]).toEqual([2, { model_id: M, version: 'v1', trigger: 'explicit' }]);
  });
});
