import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { DomainError } from '../domain/domain-error.js';
import type { ModelMoraOptions } from '../config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../nest/tokens.js';

/** When MODELMORA_API_TOKEN is set, every API route wants `Authorization: Bearer <token>`. */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(@Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.options.apiToken;
    if (!expected) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    if (a.length === b.length && timingSafeEqual(a, b)) return true;
    throw new DomainError('UNAUTHORIZED', 'missing or wrong bearer token');
  }
}
