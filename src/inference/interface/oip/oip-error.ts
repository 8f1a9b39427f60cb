import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { answerFailure, headersOf } from '../../../shared/http/edge/exception.filter.js';

/** A protocol-level refusal (bad tensor, unknown route): its HTTP status and OIP message. */
export class OipError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Every failure under /v2 as OIP's `{"error": "..."}`; domain errors keep the design's status. */
@Catch()
export class OipExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ModelMora/OIP');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<unknown>();
    const adapter = this.adapterHost.httpAdapter;
    if (adapter.isHeadersSent(response)) return;
    if (exception instanceof OipError) {
      adapter.reply(response, { error: exception.message }, exception.status);
      return;
    }
    const { status, body } = answerFailure(exception, headersOf(this.adapterHost, response), this.logger);
    adapter.reply(response, { error: body.message }, status);
  }
}
