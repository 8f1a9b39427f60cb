import type { PipeTransform } from '@nestjs/common';
import { ValidationError } from '../../../shared/domain/domain-error.js';
import { MAX_TIMEOUT_MS } from '../../domain/job-timing.js';
import { PRIORITY_NAMES } from './infer-request.dto.js';

/** The checked body. An interface, not the DTO class: its decorator metadata is Object, which the class-transformer pipe passes through. */
export interface InferBody {
  inputs: unknown;
  priority?: string;
  timeout_ms?: number;
  request_id?: string;
}

const FIELDS = new Set(['inputs', 'priority', 'timeout_ms', 'request_id']);

/**
 * Checks the few small fields of an inference request and hands the body on AS IS: a
 * class-transformer pass would deep-copy every tensor value on the hot path. The inputs
 * themselves are checked once, by the queue, against the model's task type.
 */
export class InferRequestPipe implements PipeTransform<unknown, InferBody> {
  transform(body: unknown): InferBody {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'must be a JSON object');
    const b = body as Record<string, unknown>;
    for (const key of Object.keys(b)) if (!FIELDS.has(key)) throw invalid(key, 'property should not exist');
    if (b.inputs === undefined || b.inputs === null) throw invalid('inputs', 'inputs should not be null or undefined');
    if (b.priority !== undefined && !PRIORITY_NAMES.includes(b.priority as string)) throw invalid('priority', `must be one of ${PRIORITY_NAMES.join(', ')}`);
    if (b.timeout_ms !== undefined && !(Number.isInteger(b.timeout_ms) && (b.timeout_ms as number) >= 1 && (b.timeout_ms as number) <= MAX_TIMEOUT_MS)) {
      throw invalid('timeout_ms', `must be an integer from 1 to ${MAX_TIMEOUT_MS}`);
    }
    if (b.request_id !== undefined && !(typeof b.request_id === 'string' && b.request_id.length >= 1 && b.request_id.length <= 255)) {
      throw invalid('request_id', 'must be a string of 1 to 255 characters');
    }
    return b as unknown as InferBody;
  }
}

function invalid(field: string, problem: string): ValidationError {
  return new ValidationError(`${field}: ${problem}`, { fields: { [field]: [problem] } });
}
