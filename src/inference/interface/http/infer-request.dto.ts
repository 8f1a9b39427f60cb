import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { MAX_TIMEOUT_MS } from '../../domain/job-timing.js';

export const PRIORITY_NAMES = ['low', 'normal', 'medium', 'high', 'critical'];

/** `POST /infer/{model_id}` and `/async`. `inputs` is checked against the model's task type by the queue. */
export class InferRequestDto {
  @ApiProperty({
    description: 'tensor: {"<input>": {"dims": [...], "type"?: "float32", "data": [...]}}; txt2embed: a string or strings',
    example: { x: { dims: [1, 4], type: 'float32', data: [1, 2, 3, 4] } },
  })
  @IsDefined()
  inputs!: unknown;

  @ApiPropertyOptional({ enum: PRIORITY_NAMES, default: 'normal' })
  @IsOptional()
  @IsIn(PRIORITY_NAMES)
  priority?: string;

  @ApiPropertyOptional({ description: 'Fail with INFERENCE_TIMEOUT after this long, queued or running (default per task type)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TIMEOUT_MS)
  timeout_ms?: number;

  @ApiPropertyOptional({ description: 'Idempotency key: the same key returns the same job' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  request_id?: string;
}
