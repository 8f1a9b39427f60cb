import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { ResourceRequirementsDto } from './register-model.dto.js';

export class UpdateModelDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 255) display_name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 4000) description?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject() config?: Record<string, unknown>;
  @ApiPropertyOptional({ type: ResourceRequirementsDto }) @IsOptional() @ValidateNested() @Type(() => ResourceRequirementsDto) resource_requirements?: ResourceRequirementsDto;
}
