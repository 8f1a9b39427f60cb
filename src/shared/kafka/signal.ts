/**
 * A level-triggered wake-up: `fire()` before anyone waits is not lost, so a notification
 * that arrives while the relay is busy reading makes its next wait return at once.
 */
export class Signal {
  private pending = false;
  private release?: () => void;

  fire(): void {
    this.pending = true;
    this.release?.();
  }

  /** Resolves on the next (or an already pending) `fire()`, or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.release = undefined;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.release = done;
    });
  }
}
