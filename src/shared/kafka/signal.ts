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

  /** Resolves on the next (or an already pending) `fire()` with true, or after `ms` with false. */
  wait(ms: number): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const done = (fired: boolean): void => {
        clearTimeout(timer);
        this.release = undefined;
        this.pending = false;
        resolve(fired);
      };
      const timer = setTimeout(() => done(false), ms);
      this.release = () => done(true);
    });
  }
}
