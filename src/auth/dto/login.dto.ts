import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { NoInvisibleCharacters } from '../../common/validators/no-invisible-characters';
import { PASSWORD_MAX_LENGTH } from '../../users/password-policy';
import { normalizeEmail } from './register.dto';

export const TRANSPORTS = ['cookie', 'bearer'] as const;

export class LoginDto {
  // Only shape checks here: a login form must not reveal which accounts could exist.
  @Transform(normalizeEmail)
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  @NoInvisibleCharacters()
  email!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;

  @IsOptional()
  @IsIn(TRANSPORTS)
  transport?: (typeof TRANSPORTS)[number];
}
