import type { LoggerService } from '@nestjs/common';

/**
 * Whether the relay is publishing or failing, and since when: the first failure and the
 * recovery are logged as warnings, the retries in between only at debug level.
 */
export class RelayHealth {
  private lastError?: string;
  private failingSince?: Date;

  constructor(private readonly log: LoggerService) {}

  /** The loop's current failure, if it is failing. */
  get error(): string | undefined {
    return this.lastError;
  }

  report(): { healthy: boolean; lastError?: string; failingSince?: string } {
    if (this.lastError === undefined) return { healthy: true };
    return { healthy: false, lastError: this.lastError, failingSince: this.failingSince?.toISOString() };
  }

  failed(err: unknown, backoffMs: number, checkpoint: number | undefined): void {
    const message = err instanceof Error ? err.message : String(err);
    if (this.lastError === undefined) {
      this.failingSince = new Date();
      this.log.warn({
        msg: `Kafka relay: publishing failed (${message}); events are still stored and will be published when it recovers`,
        checkpoint,
      });
    } else {
      this.log.debug?.({ msg: `Kafka relay: still failing (${message}), next attempt in ${backoffMs} ms` });
    }
    this.lastError = message;
  }

  recovered(checkpoint: number | undefined): void {
    if (this.lastError === undefined) return;
    const downMs = Date.now() - (this.failingSince?.getTime() ?? Date.now());
    this.log.log({ msg: 'Kafka relay: publishing again', down_ms: downMs, checkpoint });
    this.lastError = undefined;
    this.failingSince = undefined;
  }
}
