import { describe, expect, it } from '@jest/globals';
import { CrashLoopError, crashLoopOpenedByLastCrash, isCrashLooping, rememberCrash, REMEMBERED_CRASHES } from './crash-loop.js';

const policy = { maxCrashes: 3, windowMs: 60_000 };

describe('crash-loop rule', () => {
  it('is closed below maxCrashes within the window', () => {
    expect(isCrashLooping([0, 10_000], policy)).toBe(false);
  });

  it('opens at the maxCrashes-th crash within the window, and says so once', () => {
    expect(isCrashLooping([0, 10_000, 59_999], policy)).toBe(true);
    expect(crashLoopOpenedByLastCrash([0, 10_000, 59_999], policy)).toBe(true);
    expect(crashLoopOpenedByLastCrash([0, 10_000, 59_999, 70_000], policy)).toBe(false);
  });

  it('does not count crashes spread wider than the window, and stays open once it opened', () => {
    expect(isCrashLooping([0, 10_000, 60_000], policy)).toBe(false);
    expect(isCrashLooping([0, 70_000, 140_000, 210_000], policy)).toBe(false);
    expect(isCrashLooping([0, 1, 2, 10 * 60_000], policy)).toBe(true);
  });

  it('remembers the last REMEMBERED_CRASHES crashes only', () => {
    const many = Array.from({ length: REMEMBERED_CRASHES + 5 }, (_, i) => i).reduce<number[]>((all, t) => rememberCrash(all, t), []);
    expect(many).toHaveLength(REMEMBERED_CRASHES);
    expect(many[0]).toBe(5);
  });

  it('says why and what to do, as LOAD_FAILED', () => {
    const error = new CrashLoopError('acme/m', policy);
    expect(error.code).toBe('LOAD_FAILED');
    expect(error.message).toBe('model acme/m crashed 3 times within 60 s: it is not loaded again automatically; load it explicitly (POST /api/v1/models/{model_id}/load) once fixed');
  });
});
