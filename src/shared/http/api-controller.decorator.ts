import { applyDecorators, Controller, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiTokenGuard } from './api-token.guard.js';
import { ModelMoraExceptionFilter } from './exception.filter.js';
import { modelMoraValidationPipe } from './validation.pipe.js';

/**
 * A ModelMora API controller under `/api/v1`: our error mapping, validation and token
 * guard apply to our routes only, never to the host application's.
 */
export function ApiController(path: string, tag: string): ClassDecorator {
  return applyDecorators(
    Controller(`api/v1/${path}`),
    UseFilters(ModelMoraExceptionFilter),
    UsePipes(modelMoraValidationPipe),
    UseGuards(ApiTokenGuard),
    ApiTags(tag),
    ApiBearerAuth(),
  );
}
