import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createServer } from './bootstrap.js';
import { optionsFromEnv } from './shared/config/options-from-env.js';
import { ModelMoraModule } from './modelmora.module.js';
import { Database } from './shared/database/database.js';
import { PostgresEventStore } from './shared/event-store/event-store.js';
import { INLINE_PROJECTIONS } from './shared/event-sourcing/inline-projection.js';
import { rebuildProjections } from './shared/event-sourcing/projection-rebuilder.js';

async function main(): Promise<void> {
  const started = performance.now();
  const { port, host, logLevel, httpAdapter, ...options } = optionsFromEnv();
  if (process.argv.includes('--rebuild-projections')) {
    const ctx = await NestFactory.createApplicationContext(ModelMoraModule.forRoot(options), { logger: ['error', 'warn'] });
    const result = await rebuildProjections(ctx.get(Database), ctx.get(PostgresEventStore), ctx.get(INLINE_PROJECTIONS));
    console.log(JSON.stringify({ msg: 'projections rebuilt', ...result }));
    await ctx.close();
    return;
  }
  const app = await createServer(options, logLevel, httpAdapter);
  // Our own signal handling rather than Nest's shutdown hooks: those re-raise the signal
  // after closing, and an orchestrator should see a clean exit 0 once models are unloaded.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      new Logger('ModelMora').log({ msg: `${signal}: unloading models and stopping` });
      app.close().then(() => process.exit(0), (err) => {
        console.error(err);
        process.exit(1);
      });
    });
  }
  await app.startAllMicroservices(); // resolves at once even while the broker is down
  await app.listen(port, host);
  if (!isLoopback(host) && !options.apiToken) {
    new Logger('ModelMora').warn({
      msg: `listening on ${host}, beyond this machine, without MODELMORA_API_TOKEN: anyone who reaches the port can register, load and run models`,
    });
  }
  new Logger('ModelMora').log({
    msg: `listening on ${await app.getUrl()}`,
    http_adapter: httpAdapter,
    database: options.databaseUrl ? 'postgresql' : `embedded PGlite (${options.dataDir ?? './.modelmora/data'})`,
    database_schema: app.get(Database).schema,
    kafka: options.kafka ? options.kafka.brokers.join(',') : 'off',
    startup_ms: Math.round(performance.now() - started),
    rss_mb: Math.round(process.memoryUsage().rss / 1048576),
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
