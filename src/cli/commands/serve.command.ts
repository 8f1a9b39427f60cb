import type { Command } from 'commander';

/**
 * Runs the standalone server in this process, configured by the same environment variables
 * as `npm start`; --port and --host are shorthands for PORT and HOST.
 */
export function serveCommand(program: Command): void {
  program.command('serve').description('run the ModelMora server (configured by PORT, DATABASE_URL, MODELMORA_* …; see the README)')
    .option('--port <port>', 'HTTP port (PORT, default 8000)')
    .option('--host <host>', 'listen address (HOST, default 0.0.0.0)')
    .option('--rebuild-projections', 'rebuild the read models from the event log, then exit')
    .action(async (o: { port?: string; host?: string; rebuildProjections?: boolean }) => {
      if (o.port) process.env.PORT = o.port;
      if (o.host) process.env.HOST = o.host;
      // main.ts reads its flags from argv, as under `node dist/src/main.js`.
      process.argv = [process.argv[0]!, process.argv[1]!, ...(o.rebuildProjections ? ['--rebuild-projections'] : [])];
      await import('../../main.js');
    });
}
