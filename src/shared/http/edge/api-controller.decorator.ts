import { applyDecorators, Controller, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiTokenGuard } from './api-token.guard.js';
import { ModelMoraExceptionFilter } from './exception.filter.js';
import { modelMoraValidationPipe } from './validation.pipe.js';
import { WireSafeGuard } from './wire-safe.guard.js';

/**
 * A ModelMora API controller under `/api/v1`: our error mapping, validation and token
 * guard apply to our routes only, never to the host application's. The token is checked
 * first, then what JSON/PostgreSQL cannot carry (WireSafeGuard), then each DTO.
 */
export function ApiController(path: string, tag: string): ClassDecorator {
  return applyDecorators(
    Controller(`api/v1/${path}`),
    UseFilters(ModelMoraExceptionFilter),
    UsePipes(modelMoraValidationPipe),
    UseGuards(ApiTokenGuard, WireSafeGuard),
    ApiTags(tag),
    ApiBearerAuth(),
  );
}
