/** Which protocol a path speaks, so every failure, even one before routing, answers in that protocol's shape. */
export type Protocol = 'oip' | 'openai' | 'rest';

/** Routes match case-insensitively on Express, so the prefix is compared the same way. */
export function protocolOf(url: string | undefined): Protocol {
  const path = (url ?? '/').split('?')[0]!.toLowerCase();
  if (path === '/v2' || path.startsWith('/v2/')) return 'oip';
  if (path === '/v1' || path.startsWith('/v1/')) return 'openai';
  return 'rest';
}

/** OIP: `{"error": "..."}`; OpenAI: `{"error": {message, type, param, code}}`; REST: `{error_code, message}`. */
export function protocolErrorBody(protocol: Protocol, status: number, code: string, message: string, details?: Record<string, unknown>): unknown {
  if (protocol === 'oip') return { error: message };
  if (protocol === 'openai') {
    const type = status >= 500 ? 'server_error' : status === 401 ? 'authentication_error' : status === 403 ? 'permission_error' : 'invalid_request_error';
    return { error: { message, type, param: null, code: code === 'UNAUTHORIZED' ? 'invalid_api_key' : code.toLowerCase() } };
  }
  return { error_code: code, message, ...(details ? { details } : {}) };
}
