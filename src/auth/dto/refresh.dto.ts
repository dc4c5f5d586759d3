import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { TRANSPORTS } from './login.dto';

export class RefreshDto {
  @IsOptional()
  @IsIn(TRANSPORTS)
  transport?: (typeof TRANSPORTS)[number];

  /** Bearer transport only; browsers send the HttpOnly refresh cookie instead. Absent: 401, like a bad one. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  refreshToken?: string;
}

export class LogoutDto {
  @IsOptional()
  @IsIn(TRANSPORTS)
  transport?: (typeof TRANSPORTS)[number];

  @IsOptional()
  @IsString()
  @MaxLength(256)
  refreshToken?: string;
}
