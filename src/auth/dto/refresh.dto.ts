import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { NoInvisibleCharacters } from '../../common/validators/no-invisible-characters';
import { TRANSPORTS } from './login.dto';

export class RefreshDto {
  @IsOptional()
  @IsIn(TRANSPORTS)
  transport?: (typeof TRANSPORTS)[number];

  /** Bearer transport only; browsers send the HttpOnly refresh cookie instead. Absent: 401, like a bad one. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  @NoInvisibleCharacters()
  refreshToken?: string;
}

/** The same shape: a bearer client may name its refresh token so that session ends too. */
export class LogoutDto extends RefreshDto {}
