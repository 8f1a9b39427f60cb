import { Signal } from '../kafka/signal.js';

/** What one read-and-handle step of a catch-up reader found. */
export type CatchUpProgress =
  /** A full batch: there may be more right behind it. */
  | 'more'
  /** Events, and the read came back short: caught up for now. */
  | 'caught-up'
  /** Nothing settled after the cursor. */
  | 'nothing';

/** Where a catch-up loop is. */
export type CatchUpState =
  | 'reading'
  /** Caught up: waiting for a wake-up (a commit) or the poll. */
  | 'waiting'
  /** Woken by a commit that is not readable yet (an older ModelMora transaction still runs): looking again soon. */
  | 'chasing'
  /** The last step failed: waiting before the next try. */
  | 'backing-off'
  | 'stopped';

/** After a wake-up found nothing settled: look again after these delays, then fall back to the poll. */
export const CHASE_DELAYS_MS = [10, 20, 40, 80, 160] as const;

/** How long to wait after a step, and in which state: chasing a wake-up that found nothing, or waiting for the next. */
export interface Wait {
  readonly state: 'waiting' | 'chasing';
  /** Index into CHASE_DELAYS_MS while chasing. */
  readonly attempt: number;
  readonly ms: number;
}

export function nextWait(progress: CatchUpProgress, previous: Wait | undefined, endedBy: 'wake-up' | 'timeout', pollIntervalMs: number): Wait {
  const chasing = previous?.state === 'chasing';
  let attempt = -1;
  if (progress === 'nothing') {
    if (endedBy === 'wake-up') attempt = 0;
    else if (chasing && previous!.attempt < CHASE_DELAYS_MS.length - 1) attempt = previous!.attempt + 1;
  }
  return attempt < 0
    ? { state: 'waiting', attempt: -1, ms: pollIntervalMs }
    : { state: 'chasing', attempt, ms: Math.min(CHASE_DELAYS_MS[attempt]!, pollIntervalMs) };
}

export interface CatchUpLoopOptions {
  /** Safety net for missed wake-ups and for events that settle without a notification. */
  pollIntervalMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** A step failed; once this resolves the loop waits `backoffMs`, then tries again from the reader's cursor. */
  onFailure(err: unknown, backoffMs: number): void | Promise<void>;
  /** A step succeeded (after a failure too). */
  onSuccess(): void;
}

/**
 * The loop every catch-up reader runs (the Kafka relay, store subscriptions, the store tail):
 * step until caught up, then wait for a wake-up or the poll; after a failure, back off
 * exponentially (a stop cuts the wait short, a commit does not). The step owns the cursor.
 */
export class CatchUpLoop {
  private readonly wake = new Signal();
  private readonly stopped = new Signal();
  private loop?: Promise<void>;
  private stopping = false;
  private current: CatchUpState = 'waiting';

  constructor(
    private readonly step: () => Promise<CatchUpProgress>,
    private readonly options: CatchUpLoopOptions,
  ) {}

  get state(): CatchUpState {
    return this.current;
  }

  get running(): boolean {
    return this.loop !== undefined && !this.stopping;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Something was committed: read now instead of at the next poll. */
  notify(): void {
    this.wake.fire();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.fire();
    this.wake.fire();
    await this.loop;
  }

  /** The loop's promise, for a caller that bounds how long it waits for a stop. */
  get done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    const { pollIntervalMs, initialBackoffMs, maxBackoffMs } = this.options;
    let backoffMs = initialBackoffMs;
    let wait: Wait | undefined;
    let endedBy: 'wake-up' | 'timeout' = 'timeout';
    while (!this.stopping) {
      this.current = 'reading';
      let progress: CatchUpProgress;
      try {
        progress = await this.step();
      } catch (err) {
        if (this.stopping) break;
        this.current = 'backing-off';
        await this.options.onFailure(err, backoffMs);
        await this.stopped.wait(backoffMs);
        backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
        continue;
      }
      this.options.onSuccess();
      backoffMs = initialBackoffMs;
      if (progress === 'more' || this.stopping) {
        wait = undefined;
        continue;
      }
      wait = nextWait(progress, wait, endedBy, pollIntervalMs);
      this.current = wait.state;
      endedBy = (await this.wake.wait(wait.ms)) ? 'wake-up' : 'timeout';
    }
    this.current = 'stopped';
  }
}
