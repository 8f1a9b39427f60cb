import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DomainError } from '../../domain/domain-error.js';
import { DatabaseUnavailableError, databaseOutage } from '../../database/database-unavailable.js';
import { ERROR_STATUS, statusOf } from './error-status.js';
import { protocolErrorBody, protocolOf, ProtocolError, type ErrorBody, type Protocol } from './protocol-errors.js';

const isKnownCode = (code: unknown): code is string => typeof code === 'string' && code in ERROR_STATUS;

export type { ErrorBody };

/** 503s that clear by themselves say when to come back (RFC 9110 Retry-After, seconds). */
const RETRY_AFTER_SECONDS: Readonly<Record<string, number>> = { SERVICE_UNAVAILABLE: 5, QUEUE_FULL: 1, MODEL_UNHEALTHY: 5 };

function retryAfterSeconds(body: ErrorBody): number | undefined {
  const given = body.details?.retry_after_seconds;
  return typeof given === 'number' ? given : RETRY_AFTER_SECONDS[body.error_code];
}

/** Turns anything thrown into `{error_code, message, details?}` with the design's status. */
export function toErrorBody(err: unknown): { status: number; body: ErrorBody } {
  // A database outage that reached us unwrapped (a repository call) is still a 503.
  const outage = err instanceof DomainError ? undefined : databaseOutage(err);
  if (outage) err = outage;
  // Domain errors, and infrastructure errors that speak the same language (a known `code`).
  if (err instanceof DomainError || (err instanceof Error && isKnownCode((err as { code?: unknown }).code))) {
    const e = err as DomainError;
    return { status: statusOf(e.code), body: { error_code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse() as string | { message?: unknown };
    const message = typeof res === 'string' ? res : Array.isArray(res.message) ? res.message.join('; ') : String(res.message ?? err.message);
    const code = status === 400 ? 'VALIDATION_ERROR' : status === 401 ? 'UNAUTHORIZED' : status === 404 ? 'NOT_FOUND' : status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'VALIDATION_ERROR' : 'INTERNAL_ERROR';
    return { status, body: { error_code: code, message } };
  }
  // Body parsers' errors (malformed JSON, too large) carry their own 4xx status: body-parser's
  // (Express) as `status`, Fastify's as `statusCode`.
  const e = err as { status?: number; statusCode?: number; type?: string; code?: unknown; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_ERROR';
    const malformed = e.type === 'entity.parse.failed' || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e instanceof SyntaxError;
    const message = malformed ? `malformed JSON body: ${e.message}` : String(e.message);
    return { status, body: { error_code: code, message } };
  }
  return { status: 500, body: { error_code: 'INTERNAL_ERROR', message: 'internal error' } };
}

/** Where a filter puts a header, whichever HTTP adapter serves the response. */
export interface HeaderSink {
  setHeader(name: string, value: string): void;
}

/** The header sink of a response, through the application's HTTP adapter (Express or Fastify). */
export function headersOf(adapterHost: HttpAdapterHost, response: unknown): HeaderSink {
  return { setHeader: (name, value) => adapterHost.httpAdapter.setHeader(response, name, value) };
}

/**
 * What every HTTP surface (REST, OIP, OpenAI) does with a failure before writing it in its own
 * shape: map it, log it once (an outage as a warning, an unexpected error with its stack) and
 * set Retry-After on a 503 that clears by itself. Returns the mapping for the caller's body.
 */
export function answerFailure(exception: unknown, response: HeaderSink, logger: Logger): { status: number; body: ErrorBody } {
  const mapped = toErrorBody(exception);
  const outage = exception instanceof DomainError && !(exception instanceof DatabaseUnavailableError) ? undefined : databaseOutage(exception);
  if (outage) {
    logger.warn({ msg: 'database unavailable', reason: outage.reason });
  } else if (mapped.status >= 500 && !(exception instanceof DomainError)) {
    logger.error(mapped.body.message, exception instanceof Error ? exception.stack : String(exception));
  }
  const retryAfter = mapped.status === 503 ? retryAfterSeconds(mapped.body) : undefined;
  if (retryAfter !== undefined) response.setHeader('Retry-After', String(retryAfter));
  return mapped;
}

/** Every failure in the shape of the protocol it answers, written through the HTTP adapter so that it answers on Express and Fastify alike. */
@Catch()
export class ModelMoraExceptionFilter implements ExceptionFilter {
  /** A surface's own protocol (its controllers' filter); unset, the path decides, as for failures before routing (a parser error, a 404). */
  protected readonly protocol?: Protocol;
  private readonly logger = new Logger('ModelMora');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<unknown>();
    const adapter = this.adapterHost.httpAdapter;
    if (adapter.isHeadersSent(response)) return;
    const { status, body } = exception instanceof ProtocolError ? exception.answer : answerFailure(exception, headersOf(this.adapterHost, response), this.logger);
    const protocol = this.protocol ?? protocolOf(http.getRequest<{ url?: string }>().url);
    adapter.reply(response, protocolErrorBody(protocol, status, body.error_code, body.message, body.details), status);
  }
}
