import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../../users/password-policy';
import { normalizeEmail } from './register.dto';

export const TRANSPORTS = ['cookie', 'bearer'] as const;

export class LoginDto {
  // Only shape checks here: a login form must not reveal which accounts could exist.
  @Transform(normalizeEmail)
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  // PostgreSQL refuses NUL in text; refusing control characters here keeps odd input a 400, never a 500.
  @Matches(/^[^\p{Cc}]*$/u, { message: 'email must not contain control characters' })
  email!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;

  @IsOptional()
  @IsIn(TRANSPORTS)
  transport?: (typeof TRANSPORTS)[number];
}
