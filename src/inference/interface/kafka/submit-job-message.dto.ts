import { plainToInstance } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsNotEmpty, IsOptional, IsPositive, IsString, MaxLength, validate, type ValidationError as FieldError } from 'class-validator';
import { ValidationError } from '../../../shared/domain/domain-error.js';
import type { SubmitJobInput } from '../../application/commands/submit-job/submit-job.command.js';

export const PRIORITIES = ['low', 'normal', 'medium', 'high', 'critical'] as const;

/** A job submission on the commands topic: the same fields as `POST /api/v1/jobs`. */
export class SubmitJobMessageDto {
  @IsString()
  @IsNotEmpty()
  model_id!: string;

  @IsDefined()
  inputs!: unknown;

  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: (typeof PRIORITIES)[number];

  @IsOptional()
  @IsInt()
  @IsPositive()
  timeout_ms?: number;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  request_id?: string;
}

/**
 * Bytes → a validated submission, or the VALIDATION_ERROR that sends the message to the
 * DLQ. Parsed here from the raw bytes (the transport runs with `keepBinary`) because Nest's
 * Kafka parser silently hands over invalid JSON as a plain string.
 */
export async function parseSubmitJobMessage(value: Buffer | string | null | undefined): Promise<SubmitJobInput> {
  if (value === null || value === undefined || value.length === 0) throw new ValidationError('empty message: expected a JSON object');
  let body: unknown;
  try {
    body = JSON.parse(value.toString());
  } catch (err) {
    throw new ValidationError(`not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('expected a JSON object');
  const dto = plainToInstance(SubmitJobMessageDto, body);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const fields = Object.fromEntries(errors.map((e: FieldError) => [e.property, Object.values(e.constraints ?? {})]));
    const [name, problems] = Object.entries(fields)[0]!;
    throw new ValidationError(`${name}: ${problems.join(', ')}`, { fields });
  }
  const { model_id, inputs, priority, timeout_ms, request_id } = dto;
  return { model_id, inputs, ...(priority != null ? { priority } : {}), ...(timeout_ms != null ? { timeout_ms } : {}), ...(request_id != null ? { request_id } : {}) };
}
