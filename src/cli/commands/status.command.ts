import type { Command } from 'commander';
import { CliError, EXIT } from '../api-client.js';
import { withContext } from '../context.js';
import { formatDuration, formatMb, print, printJson, printTable } from '../render.js';
import { safeText } from '../safe-text.js';

export function statusCommands(program: Command): void {
  program.command('status').alias('ps').description('loaded models (like `ollama ps`): state, pid, memory, uptime, in-flight')
    .action(withContext(async (ctx) => {
      const s = await ctx.client.get('/api/v1/status');
      if (ctx.json) return printJson(s);
      printTable(['model', 'state', 'version', 'pid', 'memory', 'uptime', 'in-flight'], s.models.map((m: any) => [
        m.model_id, m.state, m.version, m.pid, formatMb(m.memory_mb), formatDuration(m.uptime_seconds || null), m.inflight,
      ]));
      const t = s.totals;
      print(`\n${safeText(t.models_loaded)}/${safeText(t.max_models)} models, ${formatMb(t.memory_mb)} of ${formatMb(t.max_memory_mb)} budget; server RSS ${formatMb(t.server_rss_mb)}\n`);
    }));

  program.command('health').description('liveness, readiness and model health (exit 1 when not healthy)')
    .action(withContext(async (ctx) => {
      const ok = { okStatuses: [503] };
      const [live, ready, models] = await Promise.all([
        ctx.client.get('/health/live', ok), ctx.client.get('/health/ready', ok), ctx.client.get('/health/models', ok),
      ]);
      const healthy = live?.status === 'ok' && ['ok', 'degraded'].includes(ready?.status) && models?.healthy === true;
      if (ctx.json) printJson({ healthy, live, ready, models });
      else {
        const components = Object.entries(ready?.components ?? {}).map(([name, c]: [string, any]) => ['component', name, c.status, c.error ?? c.message]);
        const rows = [['server', 'live', live?.status ?? 'down', null], ['server', 'ready', ready?.status ?? 'down', null], ...components,
          ...(models?.models ?? []).map((m: any) => ['model', m.model_id, m.healthy ? 'healthy' : m.state, m.error])];
        printTable(['kind', 'name', 'status', 'error'], rows);
      }
      if (!healthy) throw new CliError('UNHEALTHY', 'the server or one of its models is not healthy', EXIT.refused, undefined);
    }));
}
