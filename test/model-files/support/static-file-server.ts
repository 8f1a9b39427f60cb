import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

export interface StaticFileServer {
  /** Base URL with a trailing slash, e.g. http://127.0.0.1:PORT/ */
  url: string;
  /** Every request path received, in order. */
  requests: string[];
  countOf(path: string): number;
  close(): Promise<void>;
}

/**
 * Serves files under root. Extras for tests: `/redirect/<path>` answers 302 to `/<path>`,
 * `/redirect-to?<url>` answers 302 to that url, `/loop/...` redirects to itself, `/hang/...` never answers, `/chunked/<path>`
 * sends the file without a content-length, `/trickle/...` sends one byte every 20 ms forever.
 */
export async function startStaticFileServer(root: string): Promise<StaticFileServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    requests.push(path);
    void handle(root, path, url, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    countOf: (path) => requests.filter((p) => p === path).length,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(root: string, path: string, url: URL, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (path.startsWith('/hang/')) return;
  if (path.startsWith('/loop/')) {
    res.writeHead(302, { location: path }).end();
    return;
  }
  if (path.startsWith('/redirect-to')) {
    res.writeHead(302, { location: decodeURIComponent(url.search.slice(1)) }).end();
    return;
  }
  if (path.startsWith('/redirect/')) {
    res.writeHead(302, { location: path.slice('/redirect'.length) }).end();
    return;
  }
  if (path.startsWith('/trickle/')) {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1_000_000 });
    const timer = setInterval(() => res.write('x'), 20);
    res.on('close', () => clearInterval(timer));
    return;
  }
  const chunked = path.startsWith('/chunked/');
  const file = join(root, normalize(chunked ? path.slice('/chunked'.length) : path));
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', ...(chunked ? {} : { 'content-length': info.size }) });
  createReadStream(file).pipe(res);
}
