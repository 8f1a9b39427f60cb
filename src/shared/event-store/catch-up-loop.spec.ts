import { describe, expect, it } from '@jest/globals';
import { CatchUpLoop, nextWait, type CatchUpProgress, type Wait } from './catch-up-loop.js';

describe('a catch-up loop', () => {
  it('after a wake-up that found nothing, looks again at 10, 20, 40, 80, 160 ms, then falls back to the poll', () => {
    let wait: Wait = nextWait('nothing', undefined, 'wake-up', 1000);
    const waits = [wait];
    for (let i = 0; i < 5; i++) waits.push((wait = nextWait('nothing', wait, 'timeout', 1000)));
    expect(waits.map((w) => [w.state, w.ms])).toEqual([
      ['chasing', 10], ['chasing', 20], ['chasing', 40], ['chasing', 80], ['chasing', 160], ['waiting', 1000],
    ]);
  });

  it('waits for the poll after finding events, and when nothing woke it', () => {
    expect(nextWait('nothing', undefined, 'timeout', 1000)).toMatchObject({ state: 'waiting', ms: 1000 });
    const chasing = nextWait('nothing', undefined, 'wake-up', 1000);
    expect(nextWait('caught-up', chasing, 'timeout', 1000)).toMatchObject({ state: 'waiting', ms: 1000 });
  });

  it('steps again at once after a full batch, backs off after a failure, and stops between steps', async () => {
    const script: (CatchUpProgress | Error)[] = ['more', 'more', new Error('down'), 'caught-up'];
    const failures: number[] = [];
    let steps = 0;
    let caughtUp!: () => void;
    const done = new Promise<void>((r) => (caughtUp = r));
    const loop = new CatchUpLoop(async () => {
      const next = script[steps++] ?? 'nothing';
      if (next instanceof Error) throw next;
      if (next === 'caught-up') caughtUp();
      return next;
    }, { pollIntervalMs: 60_000, initialBackoffMs: 1, maxBackoffMs: 2, onFailure: (_, ms) => void failures.push(ms), onSuccess: () => undefined });
    loop.start();
    await done;
    await loop.stop();
    expect(steps).toBe(4);
    expect(failures).toEqual([1]);
    expect(loop.state).toBe('stopped');
  });
});
