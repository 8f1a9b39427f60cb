import type { Command } from 'commander';
import { seg } from '../api-client.js';
import { withContext, type CliContext } from '../context.js';
import { ProgressView, type ProgressReading } from '../progress-bar.js';
import { formatMb, print, printJson } from '../render.js';
import { safeText } from '../safe-text.js';
import { follow } from '../sse-reader.js';

/**
 * Loads a model while showing the server's download progress: the progress stream is
 * opened first, so no byte of the download goes unseen, then the load request runs.
 */
async function load(ctx: CliContext, id: string, o: { version?: string; progress: boolean }): Promise<void> {
  const view = new ProgressView(process.stderr, o.progress && Boolean(process.stderr.isTTY));
  const stop = new AbortController();
  let opened: () => void = () => undefined;
  const streamOpen = new Promise<void>((resolve) => (opened = resolve));
  const progress = view.enabled
    ? follow(ctx.client, `/api/v1/loads/progress/stream?model_id=${seg(id)}`, (frame) => {
      if (frame.event === 'progress' && frame.data) {
        const p = JSON.parse(frame.data) as ProgressReading;
        view.update(p);
        if (p.done) view.waiting(`verifying and starting ${id}`);
      }
    }, stop.signal, () => undefined, opened).catch(() => undefined)
    : Promise.resolve();
  if (view.enabled) {
    // The stream's first bytes arrive at once (a retry hint); never wait long for them.
    await Promise.race([streamOpen, new Promise((r) => setTimeout(r, 2000))]);
    view.waiting(`loading ${id}`);
  }
  const started = Date.now();
  try {
    const lifecycle = await ctx.client.request('POST', `/api/v1/models/${seg(id)}/load`, o.version ? { version: o.version } : {});
    view.finish();
    if (ctx.json) return printJson(lifecycle);
    print(`loaded ${id}@${safeText(lifecycle.version)} pid ${safeText(lifecycle.pid)} ${formatMb(lifecycle.memory_mb)} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  } finally {
    view.finish();
    stop.abort();
    await progress;
  }
}

export function lifecycleCommands(program: Command): void {
  program.command('load <model_id>').description('load a model into its own worker process (progress bars while files download)')
    .option('--version <version>', 'version to load (default: the latest)')
    .option('--no-progress', 'no progress bars')
    .action(withContext(load));

  program.command('unload <model_id>').description("unload a model: its worker stops and its memory returns")
    .action(withContext(async (ctx, id: string) => {
      const lifecycle = await ctx.client.request('POST', `/api/v1/models/${seg(id)}/unload`);
      if (ctx.json) return printJson(lifecycle);
      print(`unloaded ${id}\n`);
    }));

  program.command('warmup <model_id>').description('run one throw-away inference on a loaded model')
    .action(withContext(async (ctx, id: string) => {
      const res = await ctx.client.request('POST', `/api/v1/models/${seg(id)}/warmup`);
      if (ctx.json) return printJson(res);
      print(`warmed up ${id} (${safeText(res.warmup_ms)} ms)\n`);
    }));
}
