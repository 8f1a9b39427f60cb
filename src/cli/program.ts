import { Command, Option } from 'commander';
import { createRequire } from 'node:module';
import { DEFAULT_URL } from './context.js';
import { eventsCommand } from './commands/events.command.js';
import { inferCommand } from './commands/infer.command.js';
import { jobsCommand } from './commands/jobs.command.js';
import { lifecycleCommands } from './commands/lifecycle.command.js';
import { modelsCommand } from './commands/models.command.js';
import { serveCommand } from './commands/serve.command.js';
import { statusCommands } from './commands/status.command.js';

const EPILOG = `
Environment:
  MODELMORA_URL         server URL (default ${DEFAULT_URL})
  MODELMORA_API_TOKEN   bearer token, when the server has one

Exit codes:
  0  done
  1  the server refused (its error_code and message are printed) or is unhealthy
  2  wrong usage (unknown command or option, unreadable input)
  3  the server cannot be reached
  4  the token is missing or wrong

Examples:
  modelmora serve
  modelmora models register onnx/matmul --task-type tensor --source ./model.onnx
  modelmora load onnx/matmul
  echo '{"inputs": {"x": {"dims": [1, 4], "data": [1, 2, 3, 4]}}}' | modelmora infer onnx/matmul --input -
  modelmora status
  modelmora events --follow --model onnx/matmul`;

export function buildProgram(): Command {
  const version = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
  const program = new Command('modelmora')
    .description('ModelMora: serve ONNX models, and drive a running server from the shell')
    .addOption(new Option('--url <url>', 'server URL').env('MODELMORA_URL').default(DEFAULT_URL))
    .addOption(new Option('--token <token>', 'API token').env('MODELMORA_API_TOKEN'))
    .option('--json', 'JSON output for scripts')
    .addHelpText('after', EPILOG)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  // No global --version flag: `load --version <v>` and `models register --version <v>` need the name.
  program.command('version').description('print the version').action(() => void process.stdout.write(`${version}\n`));
  serveCommand(program);
  program.addCommand(modelsCommand());
  lifecycleCommands(program);
  inferCommand(program);
  program.addCommand(jobsCommand());
  eventsCommand(program);
  statusCommands(program);
  // Subcommands inherit the exit override and the global options' parse position.
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}
