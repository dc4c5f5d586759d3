/**
 * Second factors, passkeys and step-up: the calls, and the WebAuthn ceremonies through
 * @simplewebauthn/browser (which turns the server's JSON options into navigator.credentials calls).
 */
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { request } from './api';
import type { SecondFactorChallenge } from './auth-challenges';
import { ApiError, send } from './http';
import * as session from './session';
import type { User } from './session';

export type FactorProof = { code: string } | { recoveryCode: string } | { passkey: unknown };

export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface MfaStatus {
  totp: boolean;
  passkeys: Passkey[];
  recoveryCodesRemaining: number;
}

/** The second step of a login: a code, a recovery code, or a passkey (the ceremony runs here). */
export async function completeLogin(challenge: SecondFactorChallenge, proof: FactorProof | 'passkey'): Promise<User> {
  let body: Record<string, unknown>;
  if (proof === 'passkey') {
    const options = await send('POST', '/api/auth/login/second-factor/passkey-options', {
      body: { challenge: challenge.challenge },
    });
    if (!options.ok) throw new ApiError(options);
    const assertion = await startAuthentication({ optionsJSON: options.body as PublicKeyCredentialRequestOptionsJSON });
    body = { challenge: challenge.challenge, passkey: assertion };
  } else {
    body = { challenge: challenge.challenge, ...proof };
  }
  const result = await send('POST', '/api/auth/login/second-factor', { body });
  if (!result.ok) throw new ApiError(result);
  return session.start(result);
}

/** Sign in with a passkey alone: no email, the authenticator offers the account's discoverable passkeys. */
export async function passkeyLogin(): Promise<User> {
  const begun = await send('POST', '/api/auth/passkey/options', { body: {} });
  if (!begun.ok) throw new ApiError(begun);
  const { challenge, options } = begun.body as { challenge: string; options: PublicKeyCredentialRequestOptionsJSON };
  const passkey = await startAuthentication({ optionsJSON: options });
  const result = await send('POST', '/api/auth/passkey/login', { body: { challenge, passkey } });
  if (!result.ok) throw new ApiError(result);
  return session.start(result);
}

/** Re-authenticate inside the session; the server sets a new access cookie with a fresh auth_time. */
export async function stepUp(proof: { password: string } | FactorProof | 'passkey'): Promise<void> {
  let body: Record<string, unknown>;
  if (proof === 'passkey') {
    const begun = await request<{ challenge: string; options: PublicKeyCredentialRequestOptionsJSON }>(
      'POST',
      '/api/auth/step-up/passkey-options',
    );
    body = { challenge: begun.challenge, passkey: await startAuthentication({ optionsJSON: begun.options }) };
  } else {
    body = { ...proof };
  }
  await request<void>('POST', '/api/auth/step-up', { body });
}

export function status(signal?: AbortSignal): Promise<MfaStatus> {
  return request<MfaStatus>('GET', '/api/auth/mfa', { signal });
}

export function beginTotp(): Promise<{ otpauthUri: string; secret: string }> {
  return request('POST', '/api/auth/mfa/totp');
}

export function confirmTotp(code: string): Promise<{ recoveryCodes: string[] }> {
  return request('POST', '/api/auth/mfa/totp/confirm', { body: { code } });
}

export function removeTotp(): Promise<void> {
  return request('DELETE', '/api/auth/mfa/totp');
}

export function regenerateRecoveryCodes(): Promise<{ recoveryCodes: string[] }> {
  return request('POST', '/api/auth/mfa/recovery-codes');
}

export async function registerPasskey(name: string): Promise<Passkey & { recoveryCodes?: string[] }> {
  const begun = await request<{ challenge: string; options: PublicKeyCredentialCreationOptionsJSON }>(
    'POST',
    '/api/auth/mfa/passkeys/options',
  );
  const response = await startRegistration({ optionsJSON: begun.options });
  return request('POST', '/api/auth/mfa/passkeys', { body: { challenge: begun.challenge, response, name } });
}

export function renamePasskey(id: string, name: string): Promise<Passkey> {
  return request('PATCH', `/api/auth/mfa/passkeys/${encodeURIComponent(id)}`, { body: { name } });
}

export function removePasskey(id: string): Promise<void> {
  return request('DELETE', `/api/auth/mfa/passkeys/${encodeURIComponent(id)}`);
}
