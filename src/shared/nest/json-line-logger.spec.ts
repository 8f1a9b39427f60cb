import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { JsonLineLogger } from './json-line-logger.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('JsonLineLogger', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const records = (writes: string[]) => writes.join('').trim().split('\n').map((l) => JSON.parse(l));

  it('writes the lines of one turn of the event loop as one write, in order, as JSON records', async () => {
    const logger = new JsonLineLogger('Test', ['log', 'warn', 'error']);
    logger.log({ msg: 'one', n: 1 }, 'Audit');
    logger.log('two');
    logger.warn('three');
    expect(out).toEqual([]);
    await tick();
    expect(out).toHaveLength(1);
    expect(records(out).map((r) => [r.level, r.context, typeof r.message === 'string' ? r.message : r.message.msg])).toEqual([
      ['log', 'Audit', 'one'], ['log', 'Test', 'two'], ['warn', 'Test', 'three'],
    ]);
  });

  it('writes an error at once, after the lines waiting before it', () => {
    const logger = new JsonLineLogger('Test', ['log', 'error']);
    logger.log('before');
    logger.error('broke');
    expect(records([...out, ...err]).map((r) => r.message)).toEqual(['before', 'broke']);
    expect(err).toHaveLength(1);
  });

  it('drops the levels it was not given', async () => {
    const logger = new JsonLineLogger('Test', ['warn', 'error']);
    logger.log('quiet');
    logger.warn('heard');
    await tick();
    expect(records(out).map((r) => r.message)).toEqual(['heard']);
  });
});
