// Talks to the ModelMora API with the token typed into the page. EventSource cannot send an
// Authorization header, so the live stream is read with fetch() and parsed here.
const TOKEN_KEY = 'modelmora.token';

export class Unauthorized extends Error {}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

function headers() {
  const t = token();
  return t ? { authorization: `Bearer ${t}` } : {};
}

export async function get(path, as = 'json') {
  const res = await fetch(path, { headers: headers() });
  if (res.status === 401) throw new Unauthorized('missing or wrong token');
  if (!res.ok && !(path.startsWith('/health') && res.status === 503)) throw new Error(`${path}: HTTP ${res.status}`);
  return as === 'json' ? res.json() : res.text();
}

/**
 * Follows `/api/v1/events/stream`, reconnecting after a drop with the last cursor seen
 * (Last-Event-ID, sent back whole), so no event is missed. Returns a function that stops it.
 */
export function followEvents(query, onEvent, onState) {
  const controller = new AbortController();
  let lastId;
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const h = headers();
        if (lastId !== undefined) h['last-event-id'] = String(lastId);
        const res = await fetch(`/api/v1/events/stream?${query}`, { headers: h, signal: controller.signal });
        if (res.status === 401) throw new Unauthorized('missing or wrong token');
        if (!res.ok) throw new Error(`event stream: HTTP ${res.status}`);
        onState('live');
        await readFrames(res.body, (frame) => {
          if (frame.id !== undefined) lastId = frame.id;
          if (frame.data !== undefined && !frame.event) onEvent(JSON.parse(frame.data), positionOf(frame.id));
        });
      } catch (err) {
        if (controller.signal.aborted) return;
        onState(err instanceof Unauthorized ? 'unauthorized' : 'down');
        if (err instanceof Unauthorized) return;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  run();
  return () => controller.abort();
}

/** The position inside a stream cursor (`<transaction>-<position>`), for display only. */
function positionOf(cursor) {
  const position = Number(String(cursor ?? '').split('-').pop());
  return Number.isSafeInteger(position) ? position : undefined;
}

async function readFrames(body, onFrame) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const frame = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') frame.data = frame.data === undefined ? val : `${frame.data}\n${val}`;
        else if (field === 'id' || field === 'event') frame[field] = val;
      }
      if (Object.keys(frame).length) onFrame(frame);
    }
  }
}
