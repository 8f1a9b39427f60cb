import { Controller, Get, HttpStatus, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Database } from '../../database/database.js';
import { ModelMoraExceptionFilter } from '../../http/exception.filter.js';
import { ReadinessChecks } from './readiness-checks.js';

/** Probes, outside `/api/v1` and outside the token guard, as orchestrators expect. */
@Controller('health')
@ApiTags('health')
@UseFilters(ModelMoraExceptionFilter)
export class HealthController {
  constructor(
    private readonly db: Database,
    private readonly checks: ReadinessChecks,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Database reachable (503 if not); other dependencies reported, degraded but ready' })
  async ready(@Res({ passthrough: true }) res: Response) {
    const components: Record<string, unknown> = {};
    let ready = true;
    try {
      await this.db.query('SELECT 1');
      components.database = { status: 'up' };
    } catch (err) {
      ready = false;
      components.database = { status: 'down', error: (err as Error).message };
    }
    let degraded = false;
    for (const check of this.checks.list) {
      const result = await check.check();
      components[check.name] = result;
      if (result.status !== 'up' && result.status !== 'disabled') degraded = true;
    }
    res.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? (degraded ? 'degraded' : 'ok') : 'unavailable', components };
  }
}
