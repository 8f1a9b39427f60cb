import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { HttpRequest } from '../adapter/node-exchange.js';
import { DomainError } from '../../domain/domain-error.js';
import { findWireFault, type WireFault } from './wire-safe.js';

/**
 * Refuses, before any pipe or handler sees it, a request whose path, query or body holds
 * what JSON or PostgreSQL cannot carry (see wire-safe.ts): one pass over the parsed
 * request, no copy, so tensors cost a loop over their numbers and nothing more.
 */
@Injectable()
export class WireSafeGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<HttpRequest>();
    const fault = findWireFault(req.params, 'path') ?? findWireFault(req.query, 'query') ?? findWireFault(req.body, 'body');
    if (fault) throw refusal(fault);
    return true;
  }
}

/** The error code says which contract was broken: the model id, the inference inputs, or the request. */
function refusal(fault: WireFault): DomainError {
  const message = `${fault.path} ${fault.problem}`;
  if (fault.path === 'path.model_id') return new DomainError('INVALID_MODEL_ID', message, { field: fault.path });
  if (fault.path === 'body.inputs' || fault.path.startsWith('body.inputs.') || fault.path.startsWith('body.inputs[')) {
    return new DomainError('INVALID_INPUT', message, { field: fault.path });
  }
  return new DomainError('VALIDATION_ERROR', message, { field: fault.path });
}
