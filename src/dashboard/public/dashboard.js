import { followEvents, get, setToken, token, Unauthorized } from './api.js';
import { drawChart } from './charts.js';

const $ = (id) => document.getElementById(id);
const WINDOW_MS = 5 * 60_000;
const PRIORITIES = ['critical', 'high', 'normal', 'low'];
const samples = []; // {t, completed, failed, buckets: Map(le → count)}
const rateSeries = [];
const latencySeries = { p50: [], p99: [] };
let stopEvents = () => {};
let timers = [];

// A token may arrive in the fragment (never sent to a server, never in access logs).
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get('token')) {
  setToken(fragment.get('token'));
  history.replaceState(null, '', location.pathname);
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  setToken($('token').value);
  // Ask for the token before any API call when the server has one: no 401 on a first visit.
fetch('/dashboard/config.json')
  .then((res) => res.json())
  .then((config) => (config.token_required && !token() ? needLogin('') : start()))
  .catch((err) => setConnection('down', `server unreachable (${err.message})`));
});
$('event-filters').addEventListener('submit', (e) => {
  e.preventDefault();
  startEvents();
});

function start() {
  $('login').hidden = true;
  $('board').hidden = false;
  timers.forEach(clearInterval);
  timers = [setInterval(refreshStatus, 1000), setInterval(refreshMetrics, 2000), setInterval(refreshFailures, 5000)];
  refreshStatus();
  refreshMetrics();
  refreshFailures();
  startEvents();
}

function needLogin(message) {
  timers.forEach(clearInterval);
  timers = [];
  stopEvents();
  $('board').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  setConnection('down', 'token needed');
}

function guarded(task) {
  return async () => {
    try {
      await task();
    } catch (err) {
      if (err instanceof Unauthorized) needLogin(sessionStorage.length ? 'wrong token' : '');
      else if (err instanceof TypeError && /fetch/i.test(err.message)) setConnection('down', 'server unreachable');
      else throw err; // a bug here must show, not pass for a network problem

    }
  };
}

function setConnection(kind, text) {
  $('connection').className = `pill ${kind}`;
  $('connection').textContent = text;
}

const refreshStatus = guarded(async () => {
  const status = await get('/api/v1/status');
  const { models, totals } = status;
  $('server-rss').textContent = `server RSS ${totals.server_rss_mb} MB`;
  $('models-count').textContent = `${totals.models_loaded} / ${totals.max_models} loaded`;
  const share = totals.max_memory_mb ? totals.memory_mb / totals.max_memory_mb : 0;
  $('budget-used').style.width = `${Math.min(100, share * 100)}%`;
  $('budget-used').classList.toggle('high', share > 0.85);
  $('budget-text').textContent = `${fmtMb(totals.memory_mb)} of ${fmtMb(totals.max_memory_mb)} budget`;
  const body = $('models').tBodies[0];
  body.replaceChildren(...models.map((m) => modelRow(m, totals.max_memory_mb)));
  $('models-empty').hidden = models.length > 0;
  if (!$('connection').classList.contains('live')) setConnection('live', 'live');
});

function modelRow(m, budget) {
  const tr = document.createElement('tr');
  tr.dataset.modelId = m.model_id;
  const memory = document.createElement('div');
  memory.className = 'mem';
  const bar = document.createElement('div');
  bar.className = 'bar';
  const fill = document.createElement('div');
  fill.className = 'fill';
  fill.style.width = `${budget && m.memory_mb ? Math.min(100, (m.memory_mb / budget) * 100) : 0}%`;
  bar.append(fill);
  memory.append(bar, text('span', m.memory_mb === null ? '–' : fmtMb(m.memory_mb), 'memory'));
  tr.append(
    cell(m.model_id),
    cell(m.state, `state-${m.state}`, m.last_error ?? ''),
    cell(m.version ?? '–'),
    cell(m.pid ?? '–'),
    cellOf(memory),
    cell(fmtDuration(m.uptime_seconds)),
    cell(m.inflight),
  );
  return tr;
}

const refreshMetrics = guarded(async () => {
  const exposition = await get('/api/v1/metrics', 'text');
  const now = Date.now();
  const depth = Object.fromEntries(PRIORITIES.map((p) => [p, 0]));
  const sample = { t: now, completed: 0, failed: 0, buckets: new Map() };
  for (const m of parseProm(exposition)) {
    if (m.name === 'modelmora_queue_depth') depth[m.labels.priority] = m.value;
    else if (m.name === 'modelmora_jobs_total' && m.labels.outcome === 'completed') sample.completed += m.value;
    else if (m.name === 'modelmora_jobs_total' && m.labels.outcome === 'failed') sample.failed += m.value;
    else if (m.name === 'modelmora_job_processing_time_seconds_bucket') {
      const le = m.labels.le === '+Inf' ? Infinity : Number(m.labels.le);
      sample.buckets.set(le, (sample.buckets.get(le) ?? 0) + m.value);
    }
  }
  $('queue').replaceChildren(...PRIORITIES.map((p) => {
    const box = document.createElement('div');
    box.append(text('b', depth[p]), text('span', p, 'muted'));
    return box;
  }));
  const previous = samples.at(-1);
  samples.push(sample);
  while (samples.length && now - samples[0].t > WINDOW_MS + 60_000) samples.shift();
  if (previous) {
    const seconds = (now - previous.t) / 1000;
    rateSeries.push({ t: now, v: Math.max(0, sample.completed - previous.completed) / seconds, f: Math.max(0, sample.failed - previous.failed) / seconds });
    // Latency quantiles over the last ~30 s of completions (histogram bucket deltas).
    const base = samples.find((s) => now - s.t <= 30_000) ?? previous;
    latencySeries.p50.push({ t: now, v: quantile(0.5, base.buckets, sample.buckets) * 1000 });
    latencySeries.p99.push({ t: now, v: quantile(0.99, base.buckets, sample.buckets) * 1000 });
  }
  for (const list of [rateSeries, latencySeries.p50, latencySeries.p99]) while (list.length && now - list[0].t > WINDOW_MS) list.shift();
  drawChart($('chart-rate'), [
    { label: 'completed', color: '#3ecf8e', points: rateSeries },
    { label: 'failed', color: '#f2545b', points: rateSeries.map((p) => ({ t: p.t, v: p.f })) },
  ], { windowMs: WINDOW_MS, unit: '/s' });
  drawChart($('chart-latency'), [
    { label: 'p50', color: '#4fb3ff', points: latencySeries.p50 },
    { label: 'p99', color: '#f5a524', points: latencySeries.p99 },
  ], { windowMs: WINDOW_MS, unit: ' ms' });
});

const refreshFailures = guarded(async () => {
  const [jobs, status] = await Promise.all([get('/api/v1/jobs?status=failed&page_size=8'), get('/api/v1/status')]);
  const items = [
    ...status.models.filter((m) => m.last_error && m.state !== 'loaded').map((m) => `${m.model_id}: ${m.state} — ${m.last_error}`),
    ...jobs.items.map((j) => `${fmtTime(j.finished_at ?? j.submitted_at)} job ${j.job_id.slice(0, 8)} on ${j.model_id}: ${j.error_code ?? ''} ${j.error_message ?? ''}`),
  ];
  $('failures').replaceChildren(...(items.length ? items.map((i) => text('li', i)) : [text('li', 'none', 'muted')]));
});

function startEvents() {
  stopEvents();
  $('events').tBodies[0].replaceChildren();
  const query = new URLSearchParams({ tail: '50' });
  if ($('filter-type').value.trim()) query.set('event_type', $('filter-type').value.trim());
  if ($('filter-model').value.trim()) query.set('model_id', $('filter-model').value.trim());
  stopEvents = followEvents(query.toString(), addEvent, (state) => {
    if (state === 'unauthorized') needLogin('wrong token');
    else if (state === 'down') setConnection('down', 'reconnecting…');
  });
}

function addEvent(event, position) {
  const body = $('events').tBodies[0];
  const { model_id: model, ...rest } = event.payload;
  const tr = document.createElement('tr');
  tr.dataset.eventType = event.event_type;
  tr.append(cell(position), cell(fmtTime(event.timestamp)), cell(event.event_type), cell(model ?? '–'), cell(JSON.stringify(rest)));
  body.prepend(tr);
  while (body.rows.length > 200) body.deleteRow(-1);
  if (event.event_type.startsWith('model.')) refreshStatus();
}

/** Prometheus text exposition: `name{a="b",…} value` lines. */
function parseProm(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = {};
    for (const l of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return out;
}

/** histogram_quantile over the bucket increase between two samples (linear within a bucket). */
function quantile(q, before, after) {
  const les = [...after.keys()].sort((a, b) => a - b);
  const counts = les.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total <= 0) return NaN;
  const rank = q * total;
  for (let i = 0; i < les.length; i++) {
    if (counts[i] >= rank) {
      const lower = i === 0 ? 0 : les[i - 1];
      const upper = les[i] === Infinity ? lower : les[i];
      const below = i === 0 ? 0 : counts[i - 1];
      const inBucket = counts[i] - below;
      return inBucket > 0 ? lower + (upper - lower) * ((rank - below) / inBucket) : upper;
    }
  }
  return NaN;
}

function text(tag, value, className) {
  const el = document.createElement(tag);
  el.textContent = String(value);
  if (className) el.className = className;
  return el;
}
function cell(value, className, title) {
  const td = text('td', value, className);
  if (title) td.title = title;
  return td;
}
function cellOf(child) {
  const td = document.createElement('td');
  td.append(child);
  return td;
}
function fmtMb(mb) {
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb * 10) / 10} MB`;
}
function fmtDuration(s) {
  if (!s) return '–';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
function fmtTime(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '–';
}

// Ask for the token before any API call when the server has one: no 401 on a first visit.
fetch('/dashboard/config.json')
  .then((res) => res.json())
  .then((config) => (config.token_required && !token() ? needLogin('') : start()))
  .catch((err) => setConnection('down', `server unreachable (${err.message})`));
