import { describe, expect, it } from '@jest/globals';
import { databaseOutage } from './database-unavailable.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('databaseOutage: an outage is a 503, a bad statement is not', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset socket', withCode('ECONNRESET')],
    ['the pool timing out on connect', new Error('timeout exceeded when trying to connect')],
    ['the socket closing mid-query (pg, PGlite socket)', new Error('Connection terminated unexpectedly')],
    ['the client-side query timeout', new Error('Query read timeout')],
    ['statement_timeout (57014) wrapped by TypeORM', Object.assign(new Error('QueryFailedError'), { driverError: withCode('57014') })],
    ['lock_timeout (55P03)', withCode('55P03')],
    ['idle_in_transaction_session_timeout (25P03)', withCode('25P03')],
    ['a server shutting down (57P01)', withCode('57P01')],
    ['a connection exception class (08006)', withCode('08006')],
  ])('%s → SERVICE_UNAVAILABLE with a retry hint and no address', (_what, err) => {
    const outage = databaseOutage(err);
    expect(outage?.code).toBe('SERVICE_UNAVAILABLE');
    expect(outage?.details).toEqual({ retry_after_seconds: expect.any(Number) });
    expect(outage?.message).not.toContain('5432');
  });

  it.each([
    ['a unique violation (23505)', withCode('23505')],
    ['a syntax error (42601)', withCode('42601')],
    ['a plain bug', new TypeError('undefined is not a function')],
    ['nothing', undefined],
  ])('%s → not an outage', (_what, err) => {
    expect(databaseOutage(err)).toBeUndefined();
  });
});
