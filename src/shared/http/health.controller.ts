import { Controller, Get, HttpStatus, Inject, Req, Res, UseFilters, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ModelMoraOptions } from '../config/modelmora-options.js';
import { Database } from '../database/database.js';
import type { HttpReply, HttpRequest } from './adapter/node-exchange.js';
import { bearerTokenMatches } from './edge/api-token.guard.js';
import { ModelMoraExceptionFilter } from './edge/exception.filter.js';
import { MODELMORA_OPTIONS } from '../nest/tokens.js';
import { ReadinessProbe, type ReadinessCheck } from '../health/readiness-check.js';

/**
 * Probes, outside `/api/v1` and outside the token guard, as orchestrators expect. When a
 * token is set, a caller without it gets the status only: component details name brokers
 * and errors.
 */
@Controller('health')
@ApiTags('health')
@UseFilters(ModelMoraExceptionFilter)
export class HealthController implements OnApplicationBootstrap {
  private checks: ReadinessCheck[] = [];

  constructor(
    private readonly db: Database,
    private readonly discovery: DiscoveryService,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.checks = this.discovery.getProviders({ metadataKey: ReadinessProbe.KEY }).map((w) => w.instance as ReadinessCheck).filter(Boolean);
  }

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Database reachable (503 if not); other dependencies reported, degraded but ready' })
  async ready(@Req() req: HttpRequest, @Res({ passthrough: true }) res: HttpReply) {
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
    for (const check of this.checks) {
      const result = await check.check();
      components[check.name] = result;
      if (result.status !== 'up' && result.status !== 'disabled') degraded = true;
    }
    res.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    const status = ready ? (degraded ? 'degraded' : 'ok') : 'unavailable';
    return bearerTokenMatches(req.headers.authorization, this.options.apiToken) ? { status, components } : { status };
  }
}
