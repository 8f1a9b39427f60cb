/** Exit codes a script can rely on (also listed in `modelmora --help`). */
export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3, unauthorized: 4 } as const;

/** A failure the CLI explains in one line and maps to an exit code; never a stack trace. */
export class CliError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly exitCode: number,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  url: string;
  token?: string;
}

/** The ModelMora HTTP API as the CLI uses it: JSON in and out, errors as {@link CliError}. */
export class ApiClient {
  readonly base: string;

  constructor(private readonly options: ClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}), ...extra };
  }

  async request<T = any>(method: string, path: string, body?: unknown, opts: { okStatuses?: number[] } = {}): Promise<T> {
    const res = await this.fetch(path, {
      method,
      headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok && !opts.okStatuses?.includes(res.status)) throw errorFrom(res, text);
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }

  get<T = any>(path: string, opts?: { okStatuses?: number[] }): Promise<T> {
    return this.request<T>('GET', path, undefined, opts);
  }

  /** The CliError for a response that is not OK. */
  async refusal(res: Response): Promise<CliError> {
    return errorFrom(res, await res.text());
  }

  /** A raw response (streams); connection failures become UNREACHABLE, 401 UNAUTHORIZED. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, { ...init, headers: { ...this.headers(), ...(init.headers as Record<string, string>) } });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new CliError('UNREACHABLE', `cannot reach ModelMora at ${this.base} (${why}); is the server running? set --url or MODELMORA_URL`, EXIT.unreachable);
    }
    if (res.status === 401) {
      const text = await res.text();
      throw errorFrom(res, text, this.options.token ? 'the token was refused: check MODELMORA_API_TOKEN' : 'this server wants a token: set MODELMORA_API_TOKEN or --token');
    }
    return res;
  }
}

function errorFrom(res: Response, text: string, hint?: string): CliError {
  let body: { error_code?: unknown; message?: unknown; details?: unknown } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const code = typeof body?.error_code === 'string' ? body.error_code : `HTTP_${res.status}`;
  const message = typeof body?.message === 'string' ? body.message : `${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`;
  const exit = res.status === 401 ? EXIT.unauthorized : EXIT.refused;
  return new CliError(code, hint ? `${message} (${hint})` : message, exit, body?.details);
}

/** Model ids carry a slash: one path segment, URL-encoded. */
export const seg = (id: string): string => encodeURIComponent(id);
