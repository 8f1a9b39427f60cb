/**
 * After a wake-up (a commit) that found nothing settled yet: a transaction that began
 * earlier, possibly in another database of the server, still runs, and its end sends no
 * notification. Look again soon (10, 20, 40, 80, 160 ms) before falling back to the poll.
 */
export class SettleChase {
  private attempt = 0;

  /** How long to wait next: a short retry while chasing a wake-up, else the poll interval. */
  next(foundSomething: boolean, woken: boolean, pollIntervalMs: number): number {
    if (foundSomething) this.attempt = 0;
    else if (woken) this.attempt = 1;
    else if (this.attempt > 0 && this.attempt < 5) this.attempt += 1;
    else this.attempt = 0;
    return this.attempt > 0 ? Math.min(10 * 2 ** (this.attempt - 1), pollIntervalMs) : pollIntervalMs;
  }
}
