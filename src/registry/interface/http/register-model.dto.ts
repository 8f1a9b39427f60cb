import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsBoundedJsonObject, REQUEST_LIMITS as L } from '../../../shared/http/edge/request-limits.js';
import { TASK_TYPES } from '../../domain/model-rules.js';

export class ResourceRequirementsDto {
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(L.maxMemoryMb) memory_mb?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(L.maxMemoryMb) gpu_vram_mb?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(L.maxCpuThreads) cpu_threads?: number;
}

export class RegisterModelDto {
  @ApiProperty({ example: 'sentence-transformers/all-MiniLM-L6-v2' }) @IsString() @Length(1, 255) model_id!: string;
  @ApiProperty({ enum: TASK_TYPES }) @IsString() @IsIn(TASK_TYPES as unknown as string[], { message: `task_type must be one of ${TASK_TYPES.join(', ')}` }) task_type!: string;
  @ApiPropertyOptional({ default: 'main' }) @IsOptional() @IsString() @Length(1, 64) version?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, L.displayNameMaxChars) display_name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, L.descriptionMaxChars) description?: string;
  @ApiPropertyOptional({ example: 'file:///models/minilm' }) @IsOptional() @IsString() @Length(1, L.sourceUrlMaxChars) source_url?: string;
  @ApiPropertyOptional({ example: `sha256:${'0'.repeat(64)}` }) @IsOptional() @IsString() @MaxLength(L.checksumMaxChars) checksum?: string;
  @ApiPropertyOptional({ type: ResourceRequirementsDto }) @IsOptional() @ValidateNested() @Type(() => ResourceRequirementsDto) resource_requirements?: ResourceRequirementsDto;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: `free-form JSON, at most ${L.configMaxBytes} bytes` }) @IsOptional() @IsBoundedJsonObject(L.configMaxBytes) config?: Record<string, unknown>;
}
