import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { answerFailure } from '../../../shared/http/edge/exception.filter.js';

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

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    if (exception instanceof OipError) {
      response.status(exception.status).json({ error: exception.message });
      return;
    }
    const { status, body } = answerFailure(exception, response, this.logger);
    response.status(status).json({ error: body.message });
  }
}
