import { BadRequestException, Injectable } from '@nestjs/common';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedUser } from '../access/authenticated-user';
import type { ClientInfo } from '../common/client-info';
import { UsersService } from '../users/users.service';
import { ChallengeRefusedError, ChallengeService } from './challenge.service';
import type { MfaStatusDto, PasskeyResponseDto, RegisterPasskeyDto } from './dto/mfa.dto';
import type { Passkey } from './entities/passkey.entity';
import { PasskeyService } from './passkey.service';
import { RecoveryCodeService } from './recovery-code.service';
import { TotpEnrolment, TotpService } from './totp.service';

/** Enrolling and removing a user's factors; every change is audited. */
@Injectable()
export class MfaService {
  constructor(
    private readonly totp: TotpService,
    private readonly recoveryCodes: RecoveryCodeService,
    private readonly passkeys: PasskeyService,
    private readonly challenges: ChallengeService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async status(userId: string): Promise<MfaStatusDto> {
    const [totp, passkeys, recoveryCodesRemaining] = await Promise.all([
      this.totp.isEnabled(userId),
      this.passkeys.list(userId),
      this.recoveryCodes.remaining(userId),
    ]);
    return { totp, passkeys: passkeys.map(toResponse), recoveryCodesRemaining };
  }

  async beginTotp(principal: AuthenticatedUser, client: ClientInfo): Promise<TotpEnrolment> {
    const user = await this.users.getById(principal.userId);
    const enrolment = await this.totp.beginEnrolment(user.id, user.email);
    this.record('totp_enrolment_started', principal, client);
    return enrolment;
  }

  async confirmTotp(
    principal: AuthenticatedUser,
    code: string,
    client: ClientInfo,
  ): Promise<{ recoveryCodes: string[] }> {
    if (!(await this.totp.confirm(principal.userId, code))) {
      this.record('totp_confirmation_failed', principal, client, false);
      throw new BadRequestException('code is not the current code of the authenticator app');
    }
    this.record('totp_enabled', principal, client);
    return { recoveryCodes: await this.freshRecoveryCodesIfNone(principal.userId) };
  }

  async removeTotp(principal: AuthenticatedUser, client: ClientInfo): Promise<void> {
    if (!(await this.totp.remove(principal.userId))) {
      throw new BadRequestException('No authenticator app is enrolled');
    }
    await this.dropRecoveryCodesIfNoFactor(principal.userId);
    this.record('totp_removed', principal, client);
  }

  async regenerateRecoveryCodes(
    principal: AuthenticatedUser,
    client: ClientInfo,
  ): Promise<{ recoveryCodes: string[] }> {
    const hasFactor = (await this.totp.isEnabled(principal.userId)) || (await this.passkeys.hasAny(principal.userId));
    if (!hasFactor) throw new BadRequestException('Recovery codes need a second factor: enrol one first');
    const recoveryCodes = await this.recoveryCodes.regenerate(principal.userId);
    this.record('recovery_codes_regenerated', principal, client);
    return { recoveryCodes };
  }

  async passkeyRegistrationOptions(
    principal: AuthenticatedUser,
  ): Promise<{ challenge: string; options: PublicKeyCredentialCreationOptionsJSON }> {
    const user = await this.users.getById(principal.userId);
    const options = await this.passkeys.registrationOptions(user);
    const { handle } = await this.challenges.issue({
      purpose: 'passkey_registration',
      userId: user.id,
      transport: principal.transport,
      binding: `session:${principal.sessionId}`,
      webauthnChallenge: options.challenge,
    });
    return { challenge: handle, options };
  }

  async registerPasskey(
    principal: AuthenticatedUser,
    dto: RegisterPasskeyDto,
    client: ClientInfo,
  ): Promise<PasskeyResponseDto & { recoveryCodes?: string[] }> {
    let expectedChallenge: string;
    try {
      const challenge = await this.challenges.find(
        dto.challenge,
        'passkey_registration',
        () => `session:${principal.sessionId}`,
      );
      await this.challenges.consume(challenge);
      expectedChallenge = challenge.webauthnChallenge!;
    } catch (error) {
      if (!(error instanceof ChallengeRefusedError)) throw error;
      throw new BadRequestException('challenge is invalid or expired; ask for new passkey options');
    }
    const passkey = await this.passkeys.register(principal.userId, expectedChallenge, dto.response, dto.name);
    this.record('passkey_registered', principal, client);
    const recoveryCodes = await this.freshRecoveryCodesIfNone(principal.userId);
    return { ...toResponse(passkey), ...(recoveryCodes.length > 0 ? { recoveryCodes } : {}) };
  }

  async renamePasskey(
    principal: AuthenticatedUser,
    id: string,
    name: string,
    client: ClientInfo,
  ): Promise<PasskeyResponseDto> {
    const passkey = await this.passkeys.rename(principal.userId, id, name);
    this.record('passkey_renamed', principal, client);
    return toResponse(passkey);
  }

  async removePasskey(principal: AuthenticatedUser, id: string, client: ClientInfo): Promise<void> {
    await this.passkeys.remove(principal.userId, id);
    await this.dropRecoveryCodesIfNoFactor(principal.userId);
    this.record('passkey_removed', principal, client);
  }

  /** The first factor enrolled brings recovery codes; later ones keep the set the user already saved. */
  private async freshRecoveryCodesIfNone(userId: string): Promise<string[]> {
    if ((await this.recoveryCodes.remaining(userId)) > 0) return [];
    return this.recoveryCodes.regenerate(userId);
  }

  /** Recovery codes stand in for a factor; with none left they would be a second password. */
  private async dropRecoveryCodesIfNoFactor(userId: string): Promise<void> {
    if (!(await this.totp.isEnabled(userId)) && !(await this.passkeys.hasAny(userId))) {
      await this.recoveryCodes.removeAll(userId);
    }
  }

  private record(type: string, principal: AuthenticatedUser, client: ClientInfo, success = true): void {
    this.audit.record({
      type,
      success,
      userId: principal.userId,
      sessionId: principal.sessionId,
      client,
    });
  }
}

function toResponse(passkey: Passkey): PasskeyResponseDto {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
  };
}
