import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

export class AddModelVersionDto {
  @ApiProperty({ example: 'v2.3.0' }) @IsString() @Length(1, 64) version!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() checksum?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2048) source_url?: string;
}
