import { Command } from 'commander';
import { withContext } from '../context.js';
import { age, keyValues, print, printJson, printTable } from '../render.js';
import { safeJson } from '../safe-text.js';

export function jobsCommand(): Command {
  const jobs = new Command('jobs').description('inference jobs');

  jobs.command('ls').alias('list').description('jobs, newest first')
    .option('--status <status>', 'pending, queued, processing, completed, failed or cancelled')
    .option('--model <model_id>', 'only this model')
    .option('--page <n>', 'page', '1')
    .option('--page-size <n>', 'jobs per page', '20')
    .action(withContext(async (ctx, o: { status?: string; model?: string; page: string; pageSize: string }) => {
      const q = new URLSearchParams({ page: o.page, page_size: o.pageSize, ...(o.status ? { status: o.status } : {}), ...(o.model ? { model_id: o.model } : {}) });
      const res = await ctx.client.get(`/api/v1/jobs?${q}`);
      if (ctx.json) return printJson(res);
      printTable(['job', 'model', 'status', 'priority', 'submitted', 'time', 'error'], res.items.map((j: any) => [
        j.job_id, j.model_id, j.status, j.priority, age(j.submitted_at), j.processing_time_ms === null ? null : `${j.processing_time_ms} ms`, j.error_code,
      ]));
    }));

  jobs.command('show <job_id>').description('one job: status, timings, error')
    .action(withContext(async (ctx, id: string) => {
      const j = await ctx.client.get(`/api/v1/jobs/${encodeURIComponent(id)}`);
      if (ctx.json) return printJson(j);
      print(`${keyValues(Object.entries(j))}\n`);
    }));

  jobs.command('result <job_id>').description("a completed job's outputs")
    .action(withContext(async (ctx, id: string) => {
      const r = await ctx.client.get(`/api/v1/jobs/${encodeURIComponent(id)}/result`);
      if (ctx.json) return printJson(r);
      print(`${safeJson(r.outputs, 2)}\n`);
    }));

  jobs.command('cancel <job_id>').description('cancel a queued job')
    .action(withContext(async (ctx, id: string) => {
      const r = await ctx.client.request('DELETE', `/api/v1/jobs/${encodeURIComponent(id)}`);
      if (ctx.json) return printJson(r ?? { job_id: id, status: 'cancelled' });
      print(`cancelled ${id}\n`);
    }));

  return jobs;
}
