import { Controller, Get, HttpStatus, Inject, Req, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import type { HttpReply, HttpRequest } from '../../../shared/http/adapter/node-exchange.js';
import { bearerTokenMatches } from '../../../shared/http/edge/api-token.guard.js';
import { ModelMoraExceptionFilter } from '../../../shared/http/edge/exception.filter.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import { LifecycleStatus } from '../../application/queries/lifecycle-status.js';

@Controller('health')
@ApiTags('health')
@UseFilters(ModelMoraExceptionFilter)
export class ModelHealthController {
  constructor(
    private readonly status: LifecycleStatus,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  @Get('models')
  @ApiOperation({ summary: 'Health of each model this server manages (503 when one is unhealthy); per-model details need the token when one is set' })
  models(@Req() req: HttpRequest, @Res({ passthrough: true }) res: HttpReply) {
    const health = this.status.health();
    res.status(health.healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return bearerTokenMatches(req.headers.authorization, this.options.apiToken) ? health : { healthy: health.healthy };
  }
}
