import { Catch } from '@nestjs/common';
import { ModelMoraExceptionFilter } from '../../../shared/http/edge/exception.filter.js';
import { ProtocolError } from '../../../shared/http/edge/protocol-errors.js';

/** A protocol-level refusal (bad tensor, unknown route): its HTTP status and OIP message. */
export class OipError extends ProtocolError {
  constructor(status: number, message: string) {
    super(status, message);
  }
}

/** Every failure under /v2 as OIP's `{"error": "..."}`; domain errors keep the design's status. */
@Catch()
export class OipExceptionFilter extends ModelMoraExceptionFilter {
  protected override readonly protocol = 'oip';
}
