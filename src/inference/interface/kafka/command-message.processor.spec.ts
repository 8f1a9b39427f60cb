import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../../../shared/domain/domain-error.js';
import type { SubmitJobCommand, SubmittedJob } from '../../application/commands/submit-job/submit-job.command.js';
import { CommandMessageProcessor, ConsumerStoppingError, type CommandRecord, type DeadLetter } from './command-message.processor.js';
import { deadLetterBytes } from './dead-letter-fit.js';

const quiet = { log() {}, warn() {}, error() {}, debug() {}, verbose() {} };
const ctx = { topic: 'mm.commands', partition: 2, heartbeat: async () => {} };
const record = (value: string | null, offset = '7'): CommandRecord => ({ key: 'k1', value: value === null ? null : Buffer.from(value), headers: { trace: 't-1' }, offset, timestamp: '1764844200000' });

function setup(execute: (c: SubmitJobCommand) => Promise<SubmittedJob>, sinkLimit = Infinity) {
  const commands: SubmitJobCommand[] = [];
  const letters: { topic: string; letter: DeadLetter }[] = [];
  const refused: number[] = [];
  const processor = new CommandMessageProcessor(
    { execute: (c) => (commands.push(c), execute(c)) },
    {
      send: async (topic, letter) => {
        const bytes = deadLetterBytes(letter);
        if (bytes > sinkLimit) {
          refused.push(bytes);
          throw Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { type: 'MESSAGE_TOO_LARGE' });
        }
        letters.push({ topic, letter });
      },
    },
    { commandsTopic: 'mm.commands', initialBackoffMs: 1, maxBackoffMs: 2, maxAttempts: 4, logger: quiet },
  );
  return { processor, commands, letters, refused };
}
const ok = async (): Promise<SubmittedJob> => ({ job_id: 'j-1', status: 'queued', duplicate: false });

describe('CommandMessageProcessor', () => {
  it('submits a valid message as SubmitJobCommand', async () => {
    const { processor, commands, letters } = setup(ok);
    const outcome = await processor.process(record('{"model_id":"a/b","inputs":{"x":[1]},"priority":"high","timeout_ms":500,"request_id":"r-1"}'), ctx);
    expect(outcome).toBe('submitted');
    expect(commands.map((c) => c.input)).toEqual([{ model_id: 'a/b', inputs: { x: [1] }, priority: 'high', timeout_ms: 500, request_id: 'r-1' }]);
    expect(letters).toEqual([]);
  });

  it('derives a request_id from the record coordinates, so a redelivery is a duplicate', async () => {
    const { processor, commands } = setup(ok);
    await processor.process(record('{"model_id":"a/b","inputs":"hi"}'), ctx);
    expect(commands[0]!.input.request_id).toBe('kafka:mm.commands:2:7:1764844200000');
  });

  it.each([
    ['not JSON', '{"model_id": "a/b",', /not valid JSON/],
    ['empty', null, /empty message/],
    ['an array', '[1,2]', /JSON object/],
    ['no model_id', '{"inputs":1}', /model_id/],
    ['no inputs', '{"model_id":"a/b"}', /inputs/],
    ['a bad priority', '{"model_id":"a/b","inputs":1,"priority":"urgent"}', /priority/],
    ['a zero timeout', '{"model_id":"a/b","inputs":1,"timeout_ms":0}', /timeout_ms/],
    ['a fractional timeout', '{"model_id":"a/b","inputs":1,"timeout_ms":1.5}', /timeout_ms/],
    ['a long request_id', JSON.stringify({ model_id: 'a/b', inputs: 1, request_id: 'r'.repeat(256) }), /request_id/],
    ['an unknown field', '{"model_id":"a/b","inputs":1,"priorty":"high"}', /priorty/],
  ])('dead-letters %s with VALIDATION_ERROR, original bytes and headers kept', async (_, value, error) => {
    const { processor, commands, letters } = setup(ok);
    expect(await processor.process(record(value), ctx)).toBe('dead-lettered');
    expect(commands).toEqual([]);
    expect(letters).toHaveLength(1);
    const { topic, letter } = letters[0]!;
    expect(topic).toBe('mm.commands.dlq');
    expect(letter.value === null ? null : letter.value.toString()).toBe(value);
    expect(letter.key).toBe('k1');
    expect(letter.headers).toMatchObject({ error_code: 'VALIDATION_ERROR', error: expect.stringMatching(error), trace: 't-1', original_topic: 'mm.commands', original_partition: '2', original_offset: '7' });
  });

  it('dead-letters a domain refusal with its error_code', async () => {
    const { processor, letters } = setup(async () => {
      throw new DomainError('MODEL_NOT_FOUND', 'model a/b not found');
    });
    expect(await processor.process(record('{"model_id":"a/b","inputs":1}'), ctx)).toBe('dead-lettered');
    expect(letters[0]!.letter.headers).toMatchObject({ error_code: 'MODEL_NOT_FOUND', error: 'model a/b not found' });
  });

  it('retries a transient failure (database down, concurrency conflict) instead of dead-lettering it', async () => {
    let calls = 0;
    const { processor, letters } = setup(async () => {
      calls += 1;
      if (calls === 1) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      if (calls === 2) throw new DomainError('CONCURRENCY_CONFLICT', 'changed');
      return { job_id: 'j-1', status: 'queued', duplicate: true };
    });
    expect(await processor.process(record('{"model_id":"a/b","inputs":1}'), ctx)).toBe('duplicate');
    expect(calls).toBe(3);
    expect(letters).toEqual([]);
  });

  it('dead-letters a record that keeps failing after maxAttempts, with the last error, instead of stalling', async () => {
    let calls = 0;
    const { processor, letters } = setup(async () => {
      calls += 1;
      throw new Error('invalid byte sequence for encoding "UTF8": 0x00');
    });
    expect(await processor.process(record('{"model_id":"a/b","inputs":1}'), ctx)).toBe('dead-lettered');
    expect(calls).toBe(4);
    expect(letters[0]!.letter.headers).toMatchObject({ error_code: 'INTERNAL_ERROR', attempts: '4', error: expect.stringMatching(/still failing after 4 attempts: invalid byte sequence/) });
  });

  it('cuts a dead letter down until the broker takes it, keeping the error and the coordinates', async () => {
    const { processor, letters, refused } = setup(ok, 2_000);
    const huge = JSON.stringify({ model_id: 'a/b', inputs: 'x'.repeat(3_000_000) });
    expect(await processor.process(record(huge.slice(0, -1)), ctx)).toBe('dead-lettered');
    expect(refused.length).toBeGreaterThan(0);
    const { letter } = letters[0]!;
    expect(deadLetterBytes(letter)).toBeLessThanOrEqual(2_000);
    expect(letter.headers).toMatchObject({ error_code: 'VALIDATION_ERROR', truncated: 'true', original_value_bytes: String(huge.length - 1), original_offset: '7' });
  });

  it('leaves the record for redelivery when stopped during retries', async () => {
    const { processor } = setup(async () => {
      throw new Error('database down');
    });
    const pending = processor.process(record('{"model_id":"a/b","inputs":1}'), ctx);
    processor.stop();
    await expect(pending).rejects.toBeInstanceOf(ConsumerStoppingError);
  });
});
