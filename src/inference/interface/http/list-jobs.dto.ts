import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { REQUEST_LIMITS as L } from '../../../shared/http/edge/request-limits.js';

const JOB_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'];

export class ListJobsDto {
  @ApiPropertyOptional({ enum: JOB_STATUSES }) @IsOptional() @IsIn(JOB_STATUSES) status?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 255) model_id?: string;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(L.maxPage) page?: number;
  @ApiPropertyOptional({ default: 20 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) page_size?: number;
}
