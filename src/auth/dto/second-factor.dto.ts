import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { PASSWORD_MAX_LENGTH } from '../../users/password-policy';
import { TRANSPORTS } from './login.dto';

const HANDLE = /^[A-Za-z0-9_-]{43}$/;
const handleMessage = { message: 'challenge must be the value the previous step returned' };

/** Exactly one proof: a code from the app, a recovery code, or a passkey assertion. */
export class FactorProofDto {
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits the authenticator app shows' })
  code?: string;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  recoveryCode?: string;

  /** The browser's PublicKeyCredential as JSON (@simplewebauthn/browser startAuthentication). */
  @IsOptional()
  @IsObject()
  passkey?: AuthenticationResponseJSON;
}

export class SecondFactorDto extends FactorProofDto {
  @IsString()
  @Matches(HANDLE, handleMessage)
  challenge!: string;
}

export class ChallengeDto {
  @IsString()
  @Matches(HANDLE, handleMessage)
  challenge!: string;
}

export class PasskeyOptionsDto {
  @IsOptional()
  @IsIn(TRANSPORTS)
  transport?: (typeof TRANSPORTS)[number];
}

export class PasskeyLoginDto {
  @IsString()
  @Matches(HANDLE, handleMessage)
  challenge!: string;

  @IsObject()
  passkey!: AuthenticationResponseJSON;
}

/** A step-up: the current password (accounts without a second factor) or a second-factor proof. */
export class StepUpDto extends FactorProofDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password?: string;

  /** With `passkey`: the handle POST /api/auth/step-up/passkey-options returned. */
  @IsOptional()
  @IsString()
  @Matches(HANDLE, handleMessage)
  challenge?: string;
}
