/**
 * Runs async steps one after another. A singleton aggregate (the catalog, this
 * instance's lifecycle manager) is one stream: steps racing on it in one process would
 * only conflict and retry, so they queue here; other processes still retry on conflict.
 */
export class SerialExecutor {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(step: () => Promise<T>): Promise<T> {
    const result = this.tail.then(step);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
