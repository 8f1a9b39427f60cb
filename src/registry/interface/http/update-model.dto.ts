import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { IsBoundedJsonObject, REQUEST_LIMITS as L } from '../../../shared/http/edge/request-limits.js';
import { ResourceRequirementsDto } from './register-model.dto.js';

export class UpdateModelDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, L.displayNameMaxChars) display_name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, L.descriptionMaxChars) description?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: `free-form JSON, at most ${L.configMaxBytes} bytes` }) @IsOptional() @IsBoundedJsonObject(L.configMaxBytes) config?: Record<string, unknown>;
  @ApiPropertyOptional({ type: ResourceRequirementsDto }) @IsOptional() @ValidateNested() @Type(() => ResourceRequirementsDto) resource_requirements?: ResourceRequirementsDto;
}
