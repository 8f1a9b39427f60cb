/** REST's error body, the mapping every protocol's body is written from. */
export interface ErrorBody {
  error_code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Which protocol a path speaks, so every failure, even one before routing, answers in that protocol's shape. */
export type Protocol = 'oip' | 'openai' | 'rest';

/** Routes match case-insensitively on Express, so the prefix is compared the same way. */
export function protocolOf(url: string | undefined): Protocol {
  const path = (url ?? '/').split('?')[0]!.toLowerCase();
  if (path === '/v2' || path.startsWith('/v2/')) return 'oip';
  if (path === '/v1' || path.startsWith('/v1/')) return 'openai';
  return 'rest';
}

/** A refusal a protocol surface (OIP, OpenAI) words itself: its status, and OpenAI's snake_case code and offending body parameter. */
export class ProtocolError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = 'invalid_request',
    readonly param: string | null = null,
  ) {
    super(message);
  }

  /** The refusal as the error mapping's result, its parameter where the edge guard names one (`body.<param>`). */
  get answer(): { status: number; body: ErrorBody } {
    const details = this.param === null ? undefined : { field: `body.${this.param}` };
    return { status: this.status, body: { error_code: this.code.toUpperCase(), message: this.message, ...(details ? { details } : {}) } };
  }
}

/** `body.input[3]` (the edge guard's path) → OpenAI's `param`, `input[3]`. */
function bodyParam(field: unknown): string | null {
  return typeof field === 'string' && field.startsWith('body.') ? field.slice(5) : null;
}

/** OIP: `{"error": "..."}`; OpenAI: `{"error": {message, type, param, code}}`; REST: `{error_code, message}`. */
export function protocolErrorBody(protocol: Protocol, status: number, code: string, message: string, details?: Record<string, unknown>): unknown {
  if (protocol === 'oip') return { error: message };
  if (protocol === 'openai') {
    const type = status >= 500 ? 'server_error' : status === 401 ? 'authentication_error' : status === 403 ? 'permission_error' : 'invalid_request_error';
    return { error: { message, type, param: bodyParam(details?.field), code: code === 'UNAUTHORIZED' ? 'invalid_api_key' : code.toLowerCase() } };
  }
  return { error_code: code, message, ...(details ? { details } : {}) };
}
