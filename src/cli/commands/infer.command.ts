import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { CliError, EXIT, seg } from '../api-client.js';
import { withContext } from '../context.js';
import { keyValues, print, printError, printJson } from '../render.js';
import { safeJson, safeText } from '../safe-text.js';

async function readInput(source: string): Promise<string> {
  if (source !== '-') {
    try {
      return await readFile(source, 'utf8');
    } catch (err) {
      throw new CliError('INPUT_UNREADABLE', `cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, EXIT.usage);
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The request body from the input: a JSON object with `inputs` is the whole body, any other
 * JSON is the inputs, and text that is not JSON is a string input (txt2embed).
 */
export function requestBody(text: string, o: { priority?: string; timeoutMs?: string }): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text.replace(/\n$/, '');
  }
  const body = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && 'inputs' in parsed ? { ...(parsed as object) } : { inputs: parsed };
  return { ...body, ...(o.priority ? { priority: o.priority } : {}), ...(o.timeoutMs ? { timeout_ms: Number(o.timeoutMs) } : {}) };
}

function printOutputs(outputs: Record<string, any>): void {
  for (const [name, value] of Object.entries(outputs)) {
    if (value && typeof value === 'object' && Array.isArray(value.dims) && Array.isArray(value.data)) {
      print(`${safeText(name)} ${safeText(value.type ?? '')}[${safeText(value.dims.join(', '))}]: ${safeJson(value.data)}\n`);
    } else {
      print(`${safeText(name)}: ${safeJson(value)}\n`);
    }
  }
}

export function inferCommand(program: Command): void {
  program.command('infer <model_id>').description('run an inference (sync; --async prints the job id)')
    .requiredOption('--input <file|->', 'JSON request body or inputs (or plain text), from a file or - for stdin')
    .option('--async', 'submit and print the job id instead of waiting')
    .option('--priority <priority>', 'low, normal, high or critical')
    .option('--timeout-ms <ms>', 'give up after this long')
    .action(withContext(async (ctx, id: string, o: { input: string; async?: boolean; priority?: string; timeoutMs?: string }) => {
      const body = requestBody(await readInput(o.input), o);
      if (o.async) {
        const res = await ctx.client.request('POST', `/api/v1/infer/${seg(id)}/async`, body);
        if (ctx.json) return printJson(res);
        print(`${safeText(res.job_id)}\n`);
        return;
      }
      const res = await ctx.client.request('POST', `/api/v1/infer/${seg(id)}`, body);
      if (ctx.json) return printJson(res);
      printOutputs(res.outputs ?? {});
      printError(`${keyValues([['job', res.job_id], ['time', `${res.processing_time_ms} ms`]])}\n`);
    }));
}
