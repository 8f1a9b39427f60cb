import net from 'node:net';

/**
 * A TCP proxy a test controls, to put between the server and a real dependency
 * (PostgreSQL, a broker) and take that dependency away without touching it:
 * - `cut('reset')`: live connections are reset and new ones refused at once, as when
 *   the database restarts or its host goes away with a RST;
 * - `cut('blackhole')`: connections are accepted and live ones kept, but no byte moves
 *   either way, as in a network partition (only timeouts can notice);
 * - `restore()`: forwarding resumes for new connections (black-holed ones are reset,
 *   their state being unknowable to both ends).
 */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private mode: 'open' | 'reset' | 'blackhole' = 'open';
  /** Connections accepted so far (a test can assert the client really went through the proxy). */
  connections = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }, listenPort = 0): Promise<TcpProxy> {
    const holder: { proxy?: TcpProxy } = {};
    const server = net.createServer((client) => holder.proxy!.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', () => resolve());
    });
    holder.proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port, target);
    return holder.proxy;
  }

  /** The same URL with host and port replaced by the proxy's (e.g. a postgres:// URL). */
  wrapUrl(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  cut(how: 'reset' | 'blackhole' = 'reset'): void {
    this.mode = how;
    for (const s of this.sockets) {
      if (how === 'reset') s.resetAndDestroy();
      else s.pause();
    }
  }

  restore(): void {
    if (this.mode === 'blackhole') for (const s of this.sockets) s.resetAndDestroy();
    this.mode = 'open';
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.connections++;
    if (this.mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    this.track(client);
    if (this.mode === 'blackhole') {
      client.pause();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    this.track(upstream);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk) => {
        if (this.mode === 'open') to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }
}
