import { Catch } from '@nestjs/common';
import { ModelMoraExceptionFilter } from '../../../shared/http/edge/exception.filter.js';
import { ProtocolError } from '../../../shared/http/edge/protocol-errors.js';

/** A refusal in OpenAI's terms: status, message, a snake_case code and the offending parameter. */
export class OpenAiError extends ProtocolError {}

/** Everything under /v1 as OpenAI's `{error: {message, type, param, code}}`, which its clients parse. */
@Catch()
export class OpenAiExceptionFilter extends ModelMoraExceptionFilter {
  protected override readonly protocol = 'openai';
}
