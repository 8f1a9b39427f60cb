import { describe, expect, it } from '@jest/globals';
import { SettleChase } from './settle-chase.js';

describe('SettleChase', () => {
  it('after a wake-up that found nothing, looks again at 10, 20, 40, 80, 160 ms, then falls back to the poll', () => {
    const chase = new SettleChase();
    const waits = [chase.next(false, true, 1000)];
    for (let i = 0; i < 5; i++) waits.push(chase.next(false, false, 1000));
    expect(waits).toEqual([10, 20, 40, 80, 160, 1000]);
  });

  it('polls at the normal interval after finding events, and when nothing woke it', () => {
    const chase = new SettleChase();
    expect(chase.next(false, false, 1000)).toBe(1000);
    chase.next(false, true, 1000);
    expect(chase.next(true, false, 1000)).toBe(1000);
  });
});
