import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { IsNotEmpty, IsObject, IsString, Matches, MaxLength } from 'class-validator';

export class ConfirmTotpDto {
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits the authenticator app shows' })
  code!: string;
}

export class PasskeyNameDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  @Matches(/^[^\p{Cc}]*$/u, { message: 'name must not contain control characters' })
  name!: string;
}

export class RegisterPasskeyDto extends PasskeyNameDto {
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'challenge must be the value of POST /api/auth/mfa/passkeys/options' })
  challenge!: string;

  /** The browser's PublicKeyCredential as JSON (@simplewebauthn/browser startRegistration). */
  @IsObject()
  response!: RegistrationResponseJSON;
}

export interface PasskeyResponseDto {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface MfaStatusDto {
  totp: boolean;
  passkeys: PasskeyResponseDto[];
  recoveryCodesRemaining: number;
}
