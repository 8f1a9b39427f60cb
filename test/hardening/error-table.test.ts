import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ERROR_STATUS } from '../../src/shared/http/edge/error-status.js';

/** The README's error table, as `code → status`, read from its rows `| 422 | \`CODE\`, … | when |`. */
function readmeTable(): Record<string, number> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const table: Record<string, number> = {};
  for (const [, status, codes] of readme.matchAll(/^\| (\d{3}) \| ([^|]+) \|/gm)) {
    for (const [, code] of codes!.matchAll(/`([A-Z_]+)`/g)) table[code!] = Number(status);
  }
  return table;
}

describe('error codes', () => {
  it('the README documents every code with the status the one code → status table gives it', () => {
    expect(readmeTable()).toEqual(ERROR_STATUS);
  });

  it("answers a caller's mistakes about model sources with 4xx codes of their own", () => {
    expect([ERROR_STATUS.SOURCE_NOT_ALLOWED, ERROR_STATUS.SOURCE_REQUIRED]).toEqual([422, 422]);
  });
});
