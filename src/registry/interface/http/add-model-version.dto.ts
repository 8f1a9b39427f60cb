import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { REQUEST_LIMITS as L } from '../../../shared/http/edge/request-limits.js';

export class AddModelVersionDto {
  @ApiProperty({ example: 'v2.3.0' }) @IsString() @Length(1, 64) version!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(L.checksumMaxChars) checksum?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, L.sourceUrlMaxChars) source_url?: string;
}
