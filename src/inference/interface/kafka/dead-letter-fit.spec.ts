import { describe, expect, it } from '@jest/globals';
import { deadLetterBytes, fitDeadLetter, isRecordTooLarge, type DeadLetter } from './dead-letter-fit.js';

const letter = (value: string, error = 'bad'): DeadLetter => ({
  key: 'k',
  value: Buffer.from(value),
  headers: { error, error_code: 'VALIDATION_ERROR', original_topic: 't', original_partition: '0', original_offset: '9', trace: 'x'.repeat(100) },
});

describe('fitDeadLetter', () => {
  it('leaves a letter within budget untouched', () => {
    const small = letter('{"a":1}');
    expect(fitDeadLetter(small, 10_000)).toBe(small);
  });

  it('cuts the value to fit and says how long it was', () => {
    const fitted = fitDeadLetter(letter('v'.repeat(50_000)), 5_000);
    expect(deadLetterBytes(fitted)).toBeLessThanOrEqual(5_000);
    expect(fitted.headers).toMatchObject({ truncated: 'true', original_value_bytes: '50000', error: 'bad', trace: 'x'.repeat(100) });
    expect((fitted.value as Buffer).toString()).toMatch(/^v+$/);
  });

  it('clips an error message that echoes a huge input', () => {
    const fitted = fitDeadLetter(letter('{}', `inputs: ${'e'.repeat(100_000)}`), 20_000);
    expect(String(fitted.headers.error).length).toBeLessThan(4_200);
    expect(String(fitted.headers.error)).toMatch(/…\[truncated\]$/);
    expect((fitted.value as Buffer).toString()).toBe('{}');
  });

  it('keeps only the essential headers when even they barely fit', () => {
    const fitted = fitDeadLetter(letter('v'.repeat(1000)), 150);
    expect(fitted.value).toBeNull();
    expect(fitted.key).toBeNull();
    expect(Object.keys(fitted.headers).sort()).toEqual(['error', 'error_code', 'original_offset', 'original_partition', 'original_topic', 'original_value_bytes', 'truncated']);
  });
});

describe('isRecordTooLarge', () => {
  it('finds the broker refusal through kafkajs wrappers', () => {
    const protocol = Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { type: 'MESSAGE_TOO_LARGE' });
    expect(isRecordTooLarge(new Error('wrapped', { cause: protocol }))).toBe(true);
    expect(isRecordTooLarge(new Error('Connection error: ECONNREFUSED'))).toBe(false);
  });
});
