import { Controller, Get, HttpCode, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Database } from '../../../shared/database/database.js';
import type { HttpReply } from '../../../shared/http/adapter/node-exchange.js';
import { ApiTokenGuard } from '../../../shared/http/edge/api-token.guard.js';
import { OipExceptionFilter } from './oip-error.js';
import { serverVersion } from './server-version.js';

/** Extensions this server really implements (Triton's names): binary tensors; priority/timeout parameters. */
const OIP_EXTENSIONS = ['binary_tensor_data', 'parameters'];

/** OIP (KServe v2 / Triton REST) server endpoints. Health is open, like /health; the rest wants the token. */
@Controller('v2')
@ApiExcludeController()
@UseFilters(OipExceptionFilter)
export class OipServerController {
  constructor(private readonly db: Database) {}

  @Get('health/live')
  live() {
    return { live: true };
  }

  /** Ready when jobs can be accepted: the store answers. Models load lazily, so they do not gate it. */
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) res: HttpReply) {
    try {
      await this.db.query('SELECT 1');
      return { ready: true };
    } catch {
      // An open probe: the driver's message (hosts, users, paths) is for /health/ready with the token.
      res.status(503);
      return { ready: false, error: 'database unavailable' };
    }
  }

  @Get()
  @HttpCode(200)
  @UseGuards(ApiTokenGuard)
  metadata() {
    return { name: 'modelmora', version: serverVersion(), extensions: OIP_EXTENSIONS };
  }
}
