import { All, Controller, Req, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { MatchesRestOfPath, ReadsOwnBody } from '../../../shared/http/adapter/fastify-routes.js';
import { requestPath, type HttpRequest } from '../../../shared/http/adapter/node-exchange.js';
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
  @MatchesRestOfPath()
  @ReadsOwnBody() // a body of any type reaches the 404, as on Express
  unsupported(@Req() req: HttpRequest): never {
    throw new OipError(404, `${req.method} ${requestPath(req)} is not an OIP endpoint ModelMora serves (see GET /v2 for its extensions)`);
  }
}
