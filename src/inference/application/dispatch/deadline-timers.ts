/** One timer per live job, firing at its deadline as `now` (the clock that stamped the job) tells it; cheap by the ten thousand in Node. */
export class DeadlineTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly now: () => number) {}

  arm(jobId: string, deadlineAtMs: number, onExpired: (jobId: string) => void): void {
    if (this.timers.has(jobId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(jobId);
      onExpired(jobId);
    }, Math.max(0, deadlineAtMs - this.now()));
    timer.unref();
    this.timers.set(jobId, timer);
  }

  clear(jobId: string): void {
    const timer = this.timers.get(jobId);
    if (timer) clearTimeout(timer);
    this.timers.delete(jobId);
  }

  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
