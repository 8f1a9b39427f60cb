import { describe, expect, it } from '@jest/globals';
import { InvalidPriorityError, PRIORITIES, PRIORITY_RANK, parsePriority } from './priority.js';

describe('parsePriority', () => {
  it.each(['low', 'normal', 'high', 'critical'] as const)('given "%s", then it is that priority', (p) => {
    expect(parsePriority(p)).toBe(p);
  });

  it('given "medium" (the upstream spelling), then it is normal', () => {
    expect(parsePriority('medium')).toBe('normal');
  });

  it('given no priority, then it is normal', () => {
    expect(parsePriority(undefined)).toBe('normal');
    expect(parsePriority(null)).toBe('normal');
  });

  it.each([['urgent'], ['HIGH'], [''], [2], [{}], ['toString'], [10n]])('given %p, then it is a VALIDATION_ERROR', (input) => {
    let thrown: unknown;
    try {
      parsePriority(input);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidPriorityError);
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as InvalidPriorityError).code).toBe('VALIDATION_ERROR');
    expect(() => JSON.stringify((thrown as InvalidPriorityError).details)).not.toThrow();
  });
});

describe('PRIORITY_RANK', () => {
  it('orders low < normal < high < critical, and PRIORITIES lists them by rank', () => {
    expect([PRIORITY_RANK.low, PRIORITY_RANK.normal, PRIORITY_RANK.high, PRIORITY_RANK.critical]).toEqual([0, 1, 2, 3]);
    expect(PRIORITIES.map((p) => PRIORITY_RANK[p])).toEqual([0, 1, 2, 3]);
  });
});
