import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { HttpRequest } from '../adapter/node-exchange.js';
import { DomainError } from '../../domain/domain-error.js';
import type { ModelMoraOptions } from '../../config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../nest/tokens.js';

/** True when no token is configured, or `authorization` is `Bearer <token>` (compared in constant time). */
export function bearerTokenMatches(authorization: string | undefined, expected: string | undefined): boolean {
  if (!expected) return true;
  const header = authorization ?? '';
  const a = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** When MODELMORA_API_TOKEN is set, every API route wants `Authorization: Bearer <token>`. */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(@Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions) {}

  canActivate(context: ExecutionContext): boolean {
    if (bearerTokenMatches(context.switchToHttp().getRequest<HttpRequest>().headers.authorization, this.options.apiToken)) return true;
    throw new DomainError('UNAUTHORIZED', 'missing or wrong bearer token');
  }
}
