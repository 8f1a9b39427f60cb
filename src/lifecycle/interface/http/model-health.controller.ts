import { Controller, Get, HttpStatus, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ModelMoraExceptionFilter } from '../../../shared/http/exception.filter.js';
import { LifecycleStatus } from '../../application/queries/lifecycle-status.js';

@Controller('health')
@ApiTags('health')
@UseFilters(ModelMoraExceptionFilter)
export class ModelHealthController {
  constructor(private readonly status: LifecycleStatus) {}

  @Get('models')
  @ApiOperation({ summary: 'Health of each model this server manages (503 when one is unhealthy)' })
  models(@Res({ passthrough: true }) res: Response) {
    const health = this.status.health();
    res.status(health.healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return health;
  }
}
