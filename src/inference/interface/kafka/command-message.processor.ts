import { Logger, type LoggerService } from '@nestjs/common';
import type { IHeaders } from 'kafkajs';
import type { DomainError } from '../../../shared/domain/domain-error.js';
import { SubmitJobCommand, type SubmittedJob } from '../../application/commands/submit-job/submit-job.command.js';
import { DEFAULT_DEAD_LETTER_BYTES, fitDeadLetter, isRecordTooLarge, type DeadLetter } from './dead-letter-fit.js';
import { classifyCommandError, givenUp, type Failure, type Verdict } from './command-failures.js';
import { parseSubmitJobMessage } from './submit-job-message.dto.js';

export type { DeadLetter } from './dead-letter-fit.js';

/** A consumed record as the processor needs it (Nest's KafkaContext message with keepBinary). */
export interface CommandRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, unknown>;
  offset: string;
  timestamp: string;
}

export interface CommandRecordContext {
  topic: string;
  partition: number;
  /** Keeps the group membership alive while a transient failure is retried. */
  heartbeat(): Promise<void>;
}

/** Where unprocessable records go; `KafkaDeadLetterSink` in production. */
export interface DeadLetterSink {
  send(topic: string, letter: DeadLetter): Promise<void>;
}

export interface CommandExecutor {
  execute(command: SubmitJobCommand): Promise<SubmittedJob>;
}

export type CommandOutcome = 'submitted' | 'duplicate' | 'dead-lettered';

/** Thrown to leave a record's offset uncommitted; it is redelivered after restart or rebalance. */
export class ConsumerStoppingError extends Error {
  constructor() {
    super('commands consumer is stopping: record left for redelivery');
    this.name = 'ConsumerStoppingError';
  }
}

export interface CommandMessageProcessorOptions {
  commandsTopic: string;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Tries of one record before a transient failure is dead-lettered (default 8: about 20 s of backoff). */
  maxAttempts?: number;
  /** Largest dead-letter record; a bigger one is cut down ({@link fitDeadLetter}), never refused. */
  maxDeadLetterBytes?: number;
  logger?: LoggerService;
}

/** A commands record → SubmitJobCommand; what stays refused goes to `${commandsTopic}.dlq` so one record never stalls its partition (docs/operations.md). */
export class CommandMessageProcessor {
  private readonly log: LoggerService;
  private readonly dlqTopic: string;
  private stopping = false;
  private readonly wakeOnStop = new Set<() => void>();

  constructor(
    private readonly commands: CommandExecutor,
    private readonly deadLetters: DeadLetterSink,
    private readonly options: CommandMessageProcessorOptions,
  ) {
    this.log = options.logger ?? new Logger('KafkaCommands');
    this.dlqTopic = `${options.commandsTopic}.dlq`;
  }

  /** From now on, a record that would be retried is left for redelivery instead. */
  stop(): void {
    this.stopping = true;
    for (const wake of this.wakeOnStop) wake();
  }

  async process(record: CommandRecord, ctx: CommandRecordContext): Promise<CommandOutcome> {
    let input;
    try {
      input = await parseSubmitJobMessage(record.value);
    } catch (err) {
      return this.deadLetter(record, ctx, err as DomainError);
    }
    input.request_id ??= `kafka:${ctx.topic}:${ctx.partition}:${record.offset}:${record.timestamp}`;
    const command = new SubmitJobCommand(input);
    const result = await this.retryTransient(ctx, () => this.commands.execute(command), classifyCommandError, 'submitting a job');
    if (!result.ok) return this.deadLetter(record, ctx, result.error);
    return result.value.duplicate ? 'duplicate' : 'submitted';
  }

  private async deadLetter(record: CommandRecord, ctx: CommandRecordContext, error: Failure): Promise<CommandOutcome> {
    const headers: IHeaders = {};
    for (const [k, v] of Object.entries(record.headers ?? {})) if (v !== undefined && v !== null) headers[k] = v as string | Buffer;
    Object.assign(headers, {
      error: error.message,
      error_code: error.code,
      original_topic: ctx.topic,
      original_partition: String(ctx.partition),
      original_offset: record.offset,
      ...(error.attempts !== undefined ? { attempts: String(error.attempts) } : {}),
    });
    const letter: DeadLetter = { key: record.key, value: record.value, headers };
    // A DLQ write that fails is an outage like any other: retry, never drop the record. A
    // record the broker finds too large is cut down further until it fits.
    let budget = this.options.maxDeadLetterBytes ?? DEFAULT_DEAD_LETTER_BYTES;
    const sent = await this.retryTransient(ctx, async () => {
      try {
        await this.deadLetters.send(this.dlqTopic, fitDeadLetter(letter, budget));
      } catch (err) {
        if (isRecordTooLarge(err) && budget > 1) {
          budget = Math.floor(budget / 4);
          throw new RecordTooLargeRetry();
        }
        throw err;
      }
    }, () => ({ retry: true }), 'writing to the DLQ', Infinity);
    if (!sent.ok) throw new Error('unreachable: DLQ writes are retried until they succeed');
    this.log.warn({ msg: 'command record dead-lettered', error_code: error.code, error: error.message, topic: ctx.topic, partition: ctx.partition, offset: record.offset });
    return 'dead-lettered';
  }

  private async retryTransient<T>(
    ctx: CommandRecordContext,
    work: () => Promise<T>,
    classify: (err: unknown) => Verdict,
    what: string,
    maxAttempts = this.options.maxAttempts ?? 8,
  ): Promise<{ ok: true; value: T } | { ok: false; error: Failure }> {
    let backoff = this.options.initialBackoffMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      try {
        return { ok: true, value: await work() };
      } catch (err) {
        if (err instanceof RecordTooLargeRetry) continue;
        const verdict = classify(err);
        if (!verdict.retry) return { ok: false, error: verdict };
        if (attempt >= maxAttempts) return { ok: false, error: givenUp(err, attempt) };
        if (this.stopping) throw new ConsumerStoppingError();
        const level = attempt === 1 || attempt % 10 === 0 ? 'warn' : 'debug';
        this.log[level]?.({ msg: `transient failure ${what}; retrying`, attempt, error: (err as Error)?.message ?? String(err), topic: ctx.topic, partition: ctx.partition });
        await this.pause(backoff);
        if (this.stopping) throw new ConsumerStoppingError();
        // Also throws when the group is rebalancing: the record then goes to its new owner.
        await ctx.heartbeat();
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 5000);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeOnStop.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeOnStop.add(done);
    });
  }
}

/** Not a failure: the dead letter is cut down and sent again at once. */
class RecordTooLargeRetry extends Error {}
