import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ConsoleLogger } from '@nestjs/common';
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

  it('writes a plain record exactly as the Nest JSON logger does, and anything else the Nest way', async () => {
    const ours = new JsonLineLogger('Test', ['log']);
    const nest = new ConsoleLogger('Test', { json: true, logLevels: ['log'] });
    const messages: unknown[] = [
      { msg: 'Event: JobCompleted', payload: { job_id: 'j1', outputs: { y: { dims: [1, 2], data: [0.5, -1e-7] } }, note: 'line\nbreak "quoted"', gone: undefined } },
      'plain text',
      { msg: 'not plain', sizes: new Map([['a', 1]]), when: new Date(0), big: 10n, err: new Error('boom') },
    ];
    for (const message of messages) {
      ours.log(message, 'Audit');
      nest.log(message, 'Audit');
    }
    await tick();
    // Nest's logger writes each line at once; ours writes the turn's lines in one write, last.
    const [ourLines, nestLines] = [records(out.slice(-1)), records(out.slice(0, -1))];
    const withoutTime = (r: Record<string, unknown>) => ({ ...r, timestamp: typeof r.timestamp, keys: Object.keys(r) });
    expect(ourLines.map(withoutTime)).toEqual(nestLines.map(withoutTime));
  });
});
