import type { Command } from 'commander';
import { withContext, type CliContext } from '../context.js';
import { printTable } from '../render.js';
import { safeJson, safeText } from '../safe-text.js';
import { follow } from '../sse-reader.js';

interface Envelope {
  event_id: string;
  event_type: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
  timestamp: string;
}

interface EventsOptions {
  follow?: boolean;
  type?: string;
  model?: string;
  after?: string;
  limit: string;
  tail: string;
}

const HEADERS = ['position', 'time', 'type', 'model', 'details'];
const WIDTHS = [8, 24, 20, 28];

function fixed(cells: string[]): string {
  return cells.map((c, i) => (i < WIDTHS.length ? c.padEnd(WIDTHS[i]!) : c)).join('  ');
}

function row(position: number | string, e: Envelope): (string | number)[] {
  const { model_id: model, ...rest } = e.payload;
  return [safeText(position), safeText(e.timestamp), safeText(e.event_type), safeText(model ?? '-'), safeJson(rest)];
}

/** A bare number is an old position (`after_position`, deprecated); anything else a cursor the server handed out. */
function startParameter(after: string): [string, string] {
  return /^\d+$/.test(after) ? ['after_position', after] : ['after', after];
}

/** The position inside a stream cursor, for display only: the cursor itself is opaque and sent back whole. */
function positionOf(cursor: string | undefined): number | undefined {
  const position = cursor === undefined ? NaN : Number(cursor.slice(cursor.lastIndexOf('-') + 1));
  return Number.isSafeInteger(position) ? position : undefined;
}

/** Stored events with the filters; --model filters on the payload, so pages of 1000 are read until --limit match. */
async function list(ctx: CliContext, o: EventsOptions): Promise<void> {
  const limit = Number(o.limit);
  const found: Envelope[] = [];
  let start = startParameter(o.after ?? '0-0');
  let next = o.after ?? '0-0';
  for (;;) {
    const q = new URLSearchParams([start, ['limit', String(o.model ? 1000 : limit)]]);
    if (o.type) q.set('event_type', o.type);
    const page = await ctx.client.get(`/api/v1/events?${q}`);
    const items = page.items as Envelope[];
    found.push(...items.filter((e) => !o.model || e.payload.model_id === o.model));
    // Cursor paging; an old server (or --after <position>) answers with next_position only.
    next = String(page.next_cursor ?? page.next_position);
    start = startParameter(next);
    // Whole pages: the next cursor then resumes exactly where this listing stopped.
    if (!o.model || found.length >= limit || items.length === 0) break;
  }
  if (ctx.json) {
    process.stdout.write(`${safeJson({ items: found, next_cursor: next }, 2)}\n`);
    return;
  }
  printTable(HEADERS.slice(1), found.map((e) => row('', e).slice(1)));
  process.stdout.write(`next: --after ${safeText(next)}\n`);
}

async function followEvents(ctx: CliContext, o: EventsOptions): Promise<void> {
  const q = new URLSearchParams(o.after !== undefined ? [startParameter(o.after)] : [['tail', o.tail]]);
  if (o.type) q.set('event_type', o.type);
  if (o.model) q.set('model_id', o.model);
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  let first = true;
  await follow(ctx.client, `/api/v1/events/stream?${q}`, (frame) => {
    if (!frame.data || frame.event) return;
    const e = JSON.parse(frame.data) as Envelope;
    if (ctx.json) {
      // One JSON document per line (NDJSON), cursor and position included, for `| jq`.
      process.stdout.write(`${safeJson({ cursor: frame.id, position: positionOf(frame.id), ...e })}\n`);
      return;
    }
    // Rows arrive one at a time: fixed column widths keep them aligned.
    if (first) process.stdout.write(`${fixed(HEADERS.map((h) => h.toUpperCase()))}\n`);
    process.stdout.write(`${fixed(row(positionOf(frame.id) ?? '', e).map(String))}\n`);
    first = false;
  }, stop.signal, (err) => process.stderr.write(`event stream dropped (${safeText((err as Error).message)}); reconnecting\n`));
}

export function eventsCommand(program: Command): void {
  program.command('events').description('the event log; --follow streams it live (resuming after drops)')
    .option('-f, --follow', 'keep streaming new events')
    .option('--type <event_type>', 'only this event type, e.g. model.loaded')
    .option('--model <model_id>', 'only events about this model')
    .option('--after <cursor>', 'start after this cursor (printed as next: …, or a stream id; an old position number also works)')
    .option('--limit <n>', 'at most this many (without --follow)', '100')
    .option('--tail <n>', 'with --follow: start this many events back', '20')
    .action(withContext((ctx, o: EventsOptions) => (o.follow ? followEvents(ctx, o) : list(ctx, o))));
}
