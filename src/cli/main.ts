#!/usr/bin/env node
import { CommanderError } from 'commander';
import { CliError, EXIT } from './api-client.js';
import { buildProgram } from './program.js';
import { printError } from './render.js';
import { safeJson, safeText } from './safe-text.js';

/** One place turns every failure into one line on stderr and an exit code; never a stack trace. */
async function run(): Promise<void> {
  try {
    const args = process.argv.slice(2);
    // `modelmora --version` alone still works, as people type it.
    const argv = args.length === 1 && (args[0] === '--version' || args[0] === '-V') ? [...process.argv.slice(0, 2), 'version'] : process.argv;
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version "fail" with exit code 0; commander already printed the message.
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (err instanceof CliError) {
      printError(`error: ${safeText(err.errorCode)}: ${safeText(err.message)}\n`);
      if (err.details !== undefined) printError(`details: ${safeJson(err.details)}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    printError(`error: ${safeText(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = EXIT.refused;
  }
}

// `modelmora … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

void run();
