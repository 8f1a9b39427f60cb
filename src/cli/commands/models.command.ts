import { Command, Option } from 'commander';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { seg } from '../api-client.js';
import { withContext } from '../context.js';
import { keyValues, print, printJson, printTable, formatMb } from '../render.js';
import { safeText } from '../safe-text.js';

const TASK_TYPES = ['tensor', 'txt2embed', 'txt2txt', 'txt2img', 'img2txt', 'img2img', 'img2embed', 'audio2txt', 'txt2audio', 'classification', 'object_detection', 'question_answering'];

/** A local path becomes a file:// URL the server can read; URLs pass through. */
export function sourceUrl(source: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return source;
  return pathToFileURL(isAbsolute(source) ? source : resolve(source)).href;
}

export function modelsCommand(): Command {
  const models = new Command('models').description('the model catalog');

  models.command('ls').alias('list').description('list registered models')
    .option('--task-type <type>', 'only this task type')
    .option('--page <n>', 'page', '1')
    .option('--page-size <n>', 'models per page', '50')
    .action(withContext(async (ctx, o: { taskType?: string; page: string; pageSize: string }) => {
      const q = new URLSearchParams({ page: o.page, page_size: o.pageSize, ...(o.taskType ? { task_type: o.taskType } : {}) });
      const res = await ctx.client.get(`/api/v1/models?${q}`);
      if (ctx.json) return printJson(res);
      const running = new Map(((await ctx.client.get('/api/v1/status')).models as any[]).map((m) => [m.model_id, m]));
      printTable(['model', 'task', 'latest', 'versions', 'state', 'memory'], res.items.map((m: any) => [
        m.model_id, m.task_type, m.latest_version, m.versions.map((v: any) => v.version).join(','),
        running.get(m.model_id)?.state ?? 'unloaded', formatMb(running.get(m.model_id)?.memory_mb),
      ]));
      if (res.meta.total_pages > 1) print(`page ${safeText(res.meta.page)} of ${safeText(res.meta.total_pages)} (${safeText(res.meta.total)} models)\n`);
    }));

  models.command('show <model_id>').description('one model: versions, lifecycle state, inputs and outputs')
    .action(withContext(async (ctx, id: string) => {
      const m = await ctx.client.get(`/api/v1/models/${seg(id)}`);
      if (ctx.json) return printJson(m);
      const l = m.lifecycle ?? {};
      print(`${keyValues([
        ['model', m.model_id], ['task type', m.task_type], ['display name', m.display_name], ['description', m.description],
        ['latest version', m.latest_version], ['state', l.state], ['pid', l.pid], ['memory', formatMb(l.memory_mb)], ['last error', l.last_error],
        ['resources', m.resource_requirements], ['registered', m.registered_at],
      ])}\n\n`);
      printTable(['version', 'source', 'checksum', 'added'], m.versions.map((v: any) => [v.version, v.source_url, v.checksum, v.added_at]));
      if (m.io) {
        print('\n');
        printTable(['io', 'name', 'type', 'shape'], [
          ...(m.io.inputs ?? []).map((t: any) => ['input', t.name, t.type, JSON.stringify(t.dims)]),
          ...(m.io.outputs ?? []).map((t: any) => ['output', t.name, t.type, JSON.stringify(t.dims)]),
        ]);
      }
    }));

  models.command('register <model_id>').description('register a model (files are fetched at load)')
    .addOption(new Option('--task-type <type>', 'task type').choices(TASK_TYPES).makeOptionMandatory())
    .option('--source <url|path>', 'http(s):// or file:// URL, or a local path (.onnx file or Hugging Face folder)')
    .option('--checksum <sha256:hex>', 'checksum the files must match')
    .option('--version <version>', 'first version', 'main')
    .option('--display-name <name>')
    .option('--description <text>')
    .option('--memory-mb <n>', 'expected memory, for the budget')
    .action(withContext(async (ctx, id: string, o: Record<string, string | undefined>) => {
      const body = {
        model_id: id, task_type: o.taskType, version: o.version,
        ...(o.source ? { source_url: sourceUrl(o.source) } : {}),
        ...(o.checksum ? { checksum: o.checksum } : {}),
        ...(o.displayName ? { display_name: o.displayName } : {}),
        ...(o.description ? { description: o.description } : {}),
        ...(o.memoryMb ? { resource_requirements: { memory_mb: Number(o.memoryMb) } } : {}),
      };
      const m = await ctx.client.request('POST', '/api/v1/models', body);
      if (ctx.json) return printJson(m);
      print(`registered ${safeText(m.model_id)} (${safeText(m.task_type)}, version ${safeText(m.latest_version)})\n`);
    }));

  models.command('rm <model_id>').alias('unregister').description('unregister a model (its worker is unloaded)')
    .action(withContext(async (ctx, id: string) => {
      await ctx.client.request('DELETE', `/api/v1/models/${seg(id)}`);
      if (ctx.json) return printJson({ model_id: id, unregistered: true });
      print(`unregistered ${id}\n`);
    }));

  models.command('add-version <model_id> <version>').description('add a version to a model')
    .option('--source <url|path>', 'http(s):// or file:// URL, or a local path')
    .option('--checksum <sha256:hex>', 'checksum the files must match')
    .action(withContext(async (ctx, id: string, version: string, o: { source?: string; checksum?: string }) => {
      const body = { version, ...(o.source ? { source_url: sourceUrl(o.source) } : {}), ...(o.checksum ? { checksum: o.checksum } : {}) };
      const m = await ctx.client.request('POST', `/api/v1/models/${seg(id)}/versions`, body);
      if (ctx.json) return printJson(m);
      print(`added version ${safeText(m.version)} to ${id}\n`);
    }));

  return models;
}
