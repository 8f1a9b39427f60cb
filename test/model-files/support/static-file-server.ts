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
 * `/hang/...` never answers.
 */
export async function startStaticFileServer(root: string): Promise<StaticFileServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    void handle(root, path, req, res);
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

async function handle(root: string, path: string, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (path.startsWith('/hang/')) return;
  if (path.startsWith('/redirect/')) {
    res.writeHead(302, { location: path.slice('/redirect'.length) }).end();
    return;
  }
  const file = join(root, normalize(path));
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': info.size });
  createReadStream(file).pipe(res);
}
