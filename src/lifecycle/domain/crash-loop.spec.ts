import { describe, expect, it } from '@jest/globals';
import { CrashLoopError, noCrashes, recordCrash, type CrashRecord } from './crash-loop.js';

const policy = { maxCrashes: 3, windowMs: 60_000 };
const crashesAt = (...times: number[]): CrashRecord => times.reduce((r, t) => recordCrash(r, t, policy), noCrashes);

describe('crash-loop breaker', () => {
  it('stays closed below maxCrashes within the window', () => {
    expect(crashesAt(0, 10_000)).toEqual({ crashes: [0, 10_000], open: false });
  });

  it('opens at the maxCrashes-th crash within the window, even when loads succeeded in between', () => {
    expect(crashesAt(0, 10_000, 59_999).open).toBe(true);
  });

  it('forgets crashes older than the window', () => {
    expect(crashesAt(0, 10_000, 60_000)).toEqual({ crashes: [10_000, 60_000], open: false });
    expect(crashesAt(0, 70_000, 140_000, 210_000).open).toBe(false);
  });

  it('stays open as time passes; only a fresh record (an explicit load) closes it', () => {
    const open = crashesAt(0, 1, 2);
    expect(recordCrash(open, 10 * 60_000, policy).open).toBe(true);
    expect(recordCrash(noCrashes, 10 * 60_000, policy).open).toBe(false);
  });

  it('says why and what to do, as LOAD_FAILED', () => {
    const error = new CrashLoopError('acme/m', policy);
    expect(error.code).toBe('LOAD_FAILED');
    expect(error.message).toBe('model acme/m crashed 3 times within 60 s: it is not loaded again automatically; load it explicitly (POST /api/v1/models/{model_id}/load) once fixed');
  });
});
