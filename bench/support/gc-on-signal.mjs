// Preloaded into a benchmarked server (`node --expose-gc --import …`), never part of the app:
// on SIGUSR2, two full collections (the second catches what finalizers freed), then the
// process's RSS on stderr, where the bench waits for it.
process.on('SIGUSR2', () => {
  globalThis.gc();
  setImmediate(() => {
    globalThis.gc();
    process.stderr.write(`bench-gc-rss ${process.memoryUsage.rss()}\n`);
  });
});
