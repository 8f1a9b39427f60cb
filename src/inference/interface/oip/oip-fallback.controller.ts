import { All, Controller, Req, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { OipError, OipExceptionFilter } from './oip-error.js';

/**
 * Any other /v2 route (repository, statistics, shared memory, model config…): a 404 in OIP's
 * `{"error"}` shape, which tritonclient can report, instead of Nest's own. Registered last.
 */
@Controller('v2')
@ApiExcludeController()
@UseFilters(OipExceptionFilter)
export class OipFallbackController {
  @All('*path')
  unsupported(@Req() req: Request): never {
    throw new OipError(404, `${req.method} ${req.path} is not an OIP endpoint ModelMora serves (see GET /v2 for its extensions)`);
  }
}
