import { Agent, request } from 'node:http';

export interface HttpReply<T = any> {
  status: number;
  body: T;
}

/**
 * JSON over node:http with keep-alive: lighter on the client side than fetch, which
 * matters on a 2-core box where the client shares the CPU with the server it measures.
 */
export class HttpClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, maxSockets = 64) {
    const u = new URL(baseUrl);
    if (u.hostname !== '127.0.0.1') throw new Error(`bench traffic stays on 127.0.0.1, got ${u.hostname}`);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  get<T = any>(path: string): Promise<HttpReply<T>> {
    return this.send('GET', path);
  }

  post<T = any>(path: string, body: unknown = {}): Promise<HttpReply<T>> {
    return this.send('POST', path, JSON.stringify(body));
  }

  /** POST a body serialised once by the caller (hot loops send the same input many times). */
  postRaw<T = any>(path: string, json: string): Promise<HttpReply<T>> {
    return this.send('POST', path, json);
  }

  close(): void {
    this.agent.destroy();
  }

  private send<T>(method: string, path: string, json?: string): Promise<HttpReply<T>> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { accept: 'application/json' };
      if (json !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(json);
      }
      const req = request({ host: this.host, port: this.port, method, path, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON (metrics): keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: body as T });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(json);
    });
  }
}

/** Throws with the reply when the status is not the expected one. */
export function expectStatus<T>(reply: HttpReply<T>, status: number, what: string): T {
  if (reply.status !== status) throw new Error(`${what}: expected HTTP ${status}, got ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}
