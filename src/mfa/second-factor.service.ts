import { Injectable } from '@nestjs/common';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { PasskeyService } from './passkey.service';
import { RecoveryCodeService } from './recovery-code.service';
import { TotpService } from './totp.service';

export type SecondFactorMethod = 'totp' | 'recovery_code' | 'passkey';

/** One proof of a second factor, as a login's second step or a step-up presents it. */
export type SecondFactorProof =
  | { method: 'totp'; code: string }
  | { method: 'recovery_code'; code: string }
  | { method: 'passkey'; response: AuthenticationResponseJSON; expectedChallenge: string | null };

/** RFC 8176 `amr` values: each recovery code is a one-time password too; a passkey proves a key. */
export const AMR_OF: Record<SecondFactorMethod, string> = { totp: 'otp', recovery_code: 'otp', passkey: 'hwk' };

/** Which second factors a user has, and whether a presented proof is good (spending it when it is). */
@Injectable()
export class SecondFactorService {
  constructor(
    private readonly totp: TotpService,
    private readonly recoveryCodes: RecoveryCodeService,
    private readonly passkeys: PasskeyService,
  ) {}

  /** Empty when the password alone signs the user in. Recovery codes count only beside a real factor. */
  async methodsOf(userId: string): Promise<SecondFactorMethod[]> {
    const [totp, passkey] = await Promise.all([this.totp.isEnabled(userId), this.passkeys.hasAny(userId)]);
    const methods: SecondFactorMethod[] = [];
    if (totp) methods.push('totp');
    if (passkey) methods.push('passkey');
    if (methods.length > 0 && (await this.recoveryCodes.remaining(userId)) > 0) methods.push('recovery_code');
    return methods;
  }

  async verify(userId: string, proof: SecondFactorProof): Promise<boolean> {
    switch (proof.method) {
      case 'totp':
        return this.totp.verify(userId, proof.code);
      case 'recovery_code':
        return this.recoveryCodes.use(userId, proof.code);
      case 'passkey':
        if (!proof.expectedChallenge) return false;
        return (await this.passkeys.authenticate(proof.expectedChallenge, proof.response, userId)) !== null;
    }
  }
}
