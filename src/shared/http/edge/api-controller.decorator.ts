import { applyDecorators, Controller, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiTokenGuard } from './api-token.guard.js';
import { ModelMoraExceptionFilter } from './exception.filter.js';
import { modelMoraValidationPipe } from './validation.pipe.js';
import { WireSafeGuard } from './wire-safe.guard.js';

export interface ApiControllerOptions {
  /**
   * Every handler checks its body with its own pipe and takes no DTO class: class-validator's
   * pipe would only run again, per parameter, on the hot path (the inference routes).
   */
  ownPipes?: boolean;
}

/**
 * A ModelMora API controller under `/api/v1`: our error mapping, validation and token
 * guard apply to our routes only, never to the host application's. The token is checked
 * first, then what JSON/PostgreSQL cannot carry (WireSafeGuard), then each DTO.
 */
export function ApiController(path: string, tag: string, options: ApiControllerOptions = {}): ClassDecorator {
  return applyDecorators(
    Controller(`api/v1/${path}`),
    UseFilters(ModelMoraExceptionFilter),
    ...(options.ownPipes ? [] : [UsePipes(modelMoraValidationPipe)]),
    UseGuards(ApiTokenGuard, WireSafeGuard),
    ApiTags(tag),
    ApiBearerAuth(),
  );
}
