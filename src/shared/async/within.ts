/** `work`, or the error `onTimeout` makes if it has not settled within `ms`; the timer never keeps the process alive. */
export function within<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  return Promise.race([work, giveUp]).finally(() => clearTimeout(timer));
}
