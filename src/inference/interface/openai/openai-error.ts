import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { answerFailure, headersOf } from '../../../shared/http/edge/exception.filter.js';
import { OipError } from '../oip/oip-error.js';

/** A refusal in OpenAI's terms: status, message, the offending parameter and a snake_case code. */
export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

/** `body.input[3]` (the edge guard's path) → OpenAI's `param`, `input[3]`. */
function bodyField(field: unknown): string | null {
  return typeof field === 'string' && field.startsWith('body.') ? field.slice(5) : null;
}

/** Everything under /v1 as OpenAI's `{error: {message, type, param, code}}`, which its clients parse. */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ModelMora/OpenAI');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<unknown>();
    const adapter = this.adapterHost.httpAdapter;
    if (adapter.isHeadersSent(response)) return;
    let status: number;
    let message: string;
    let code: string;
    let param: string | null = null;
    if (exception instanceof OpenAiError) ({ status, message, code, param } = exception);
    else if (exception instanceof OipError) {
      ({ status, message } = exception);
      code = 'invalid_request';
    } else {
      const mapped = answerFailure(exception, headersOf(this.adapterHost, response), this.logger);
      ({ status } = mapped);
      ({ message } = mapped.body);
      param = bodyField(mapped.body.details?.field);
      code = mapped.body.error_code === 'UNAUTHORIZED' ? 'invalid_api_key' : mapped.body.error_code.toLowerCase();
    }
    const type = status >= 500 ? 'server_error' : status === 401 ? 'authentication_error' : 'invalid_request_error';
    adapter.reply(response, { error: { message, type, param, code } }, status);
  }
}
