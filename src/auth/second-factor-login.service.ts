import { BadRequestException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { ChallengeRefusedError, ChallengeService } from '../mfa/challenge.service';
import type { AuthChallenge } from '../mfa/entities/auth-challenge.entity';
import { PasskeyService } from '../mfa/passkey.service';
import { AMR_OF, SecondFactorMethod, SecondFactorProof, SecondFactorService } from '../mfa/second-factor.service';
import type { Transport } from '../access/token-source';
import type { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import type { FactorProofDto } from './dto/second-factor.dto';
import { LoginSessionService, SessionStart } from './login-session.service';
import { LoginThrottleService } from './login-throttle.service';
import { SessionGrant, SessionGrantService } from './session-grant.service';

const REFUSED = 'Invalid or expired login challenge; sign in again';

/** The password was right, but the account has a second factor: no session yet, only this challenge. */
export interface SecondFactorChallenge {
  transport: Transport;
  challenge: string;
  expiresAt: Date;
  methods: SecondFactorMethod[];
  /** Browsers get their fingerprint cookie now: the challenge, and then the session, are bound to it. */
  fingerprintCookie?: string;
}

/** The client's side of a challenge: where it came from, and the browser's fingerprint cookie. */
export interface Presenter {
  client: ClientInfo;
  fingerprintCookie?: string;
  /** The refresh cookie of a session this browser still holds: the login ends it. */
  replacedRefreshToken?: string;
  /** The key of a DPoP proof sent with the request that completes the login (bearer clients only). */
  dpopJkt?: string;
}

/**
 * The second step of a login, and passkey sign-in. Each completes a challenge the first step issued to the
 * same client; wrong proofs count against the account (the login lockout) and the challenge (5 at most).
 */
@Injectable()
export class SecondFactorLoginService {
  constructor(
    private readonly loginSessions: LoginSessionService,
    private readonly grants: SessionGrantService,
    private readonly challenges: ChallengeService,
    private readonly secondFactors: SecondFactorService,
    private readonly passkeys: PasskeyService,
    private readonly users: UsersService,
    private readonly loginThrottle: LoginThrottleService,
    private readonly audit: AuditService,
  ) {}

  /**
   * The end of a password login's first step for an account with a second factor: a challenge bound to this
   * client instead of a session. Null for an account without one.
   */
  async challengeIfEnrolled(
    user: User,
    transport: Transport,
    client: ClientInfo,
    fingerprintCookie: string | undefined,
  ): Promise<SecondFactorChallenge | null> {
    const methods = await this.secondFactors.methodsOf(user.id);
    if (methods.length === 0) return null;
    const { handle, expiresAt } = await this.challenges.issue({
      purpose: 'second_factor',
      userId: user.id,
      transport,
      binding: this.grants.clientBinding(transport, client, fingerprintCookie),
      sessionEpoch: user.sessionEpoch,
    });
    this.audit.record({ type: 'login_second_factor_required', success: true, userId: user.id, client });
    return { transport, challenge: handle, expiresAt, methods, fingerprintCookie };
  }

  /** WebAuthn options for a login whose second factor is a passkey: the user's own credentials only. */
  async passkeyOptions(handle: string, presenter: Presenter): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const challenge = await this.find(handle, 'second_factor', presenter);
    const options = await this.passkeys.authenticationOptions(challenge.userId);
    await this.challenges.setWebauthnChallenge(challenge, options.challenge);
    return options;
  }

  async complete(handle: string, dto: FactorProofDto, presenter: Presenter): Promise<SessionGrant> {
    const challenge = await this.find(handle, 'second_factor', presenter);
    const proof = proofFrom(dto, challenge.webauthnChallenge);
    const user = await this.users.getById(challenge.userId!);
    const attempt = await this.loginThrottle.begin('second_factor', user.email, presenter.client, user.id);
    if (!(await this.secondFactors.verify(user.id, proof))) {
      await this.challenges.failed(challenge);
      await this.loginThrottle.failed(attempt);
      this.audit.record({
        type: 'second_factor_failed',
        success: false,
        userId: user.id,
        client: presenter.client,
        reason: `bad_${proof.method}`,
      });
      throw new UnauthorizedException('The second factor was not accepted');
    }
    await this.loginThrottle.succeeded(attempt);
    await this.spend(challenge, presenter);
    return this.loginSessions.start(
      user,
      challenge.sessionEpoch ?? user.sessionEpoch,
      ['pwd', AMR_OF[proof.method], 'mfa'],
      sessionStart(challenge, presenter),
    );
  }

  /** The first step of a passkey sign-in: no email, the authenticator offers the user's discoverable passkeys. */
  async beginPasskeyLogin(
    transport: Transport,
    presenter: Presenter,
  ): Promise<{ challenge: string; expiresAt: Date; options: PublicKeyCredentialRequestOptionsJSON }> {
    const options = await this.passkeys.authenticationOptions(null);
    const { handle, expiresAt } = await this.challenges.issue({
      purpose: 'passkey_login',
      userId: null,
      transport,
      binding: this.grants.clientBinding(transport, presenter.client, presenter.fingerprintCookie),
      webauthnChallenge: options.challenge,
    });
    return { challenge: handle, expiresAt, options };
  }

  /** A passkey with user verification is two factors in one (possession, and a PIN or biometric). */
  async completePasskeyLogin(
    handle: string,
    response: AuthenticationResponseJSON,
    presenter: Presenter,
  ): Promise<SessionGrant> {
    const challenge = await this.find(handle, 'passkey_login', presenter);
    const assertion = await this.passkeys.authenticate(challenge.webauthnChallenge!, response, null);
    if (!assertion) {
      await this.challenges.failed(challenge);
      this.audit.record({ type: 'login_failed', success: false, client: presenter.client, reason: 'bad_passkey' });
      throw new UnauthorizedException('The passkey was not accepted');
    }
    await this.spend(challenge, presenter);
    const user = await this.users.getById(assertion.userId);
    return this.loginSessions.start(user, user.sessionEpoch, ['hwk', 'mfa'], sessionStart(challenge, presenter));
  }

  private async find(handle: string, purpose: AuthChallenge['purpose'], presenter: Presenter): Promise<AuthChallenge> {
    try {
      return await this.challenges.find(handle, purpose, (transport) =>
        this.grants.clientBinding(transport, presenter.client, presenter.fingerprintCookie),
      );
    } catch (error) {
      if (!(error instanceof ChallengeRefusedError)) throw error;
      this.audit.record({
        type: 'login_challenge_refused',
        success: false,
        client: presenter.client,
        reason: error.reason,
        metadata: { purpose },
      });
      throw new UnauthorizedException(REFUSED);
    }
  }

  private async spend(challenge: AuthChallenge, presenter: Presenter): Promise<void> {
    try {
      await this.challenges.consume(challenge);
    } catch (error) {
      if (!(error instanceof ChallengeRefusedError)) throw error;
      this.audit.record({
        type: 'login_challenge_refused',
        success: false,
        userId: challenge.userId ?? undefined,
        client: presenter.client,
        reason: error.reason,
      });
      throw new UnauthorizedException(REFUSED);
    }
  }
}

function sessionStart(challenge: AuthChallenge, presenter: Presenter): SessionStart {
  return { transport: challenge.transport, ...presenter };
}

/** Exactly one of the proofs, or a 400 that says what to send. */
export function proofFrom(dto: FactorProofDto, webauthnChallenge: string | null): SecondFactorProof {
  const given = [dto.code, dto.recoveryCode, dto.passkey].filter((value) => value !== undefined);
  if (given.length !== 1) throw new BadRequestException('Send exactly one of code, recoveryCode or passkey');
  if (dto.code !== undefined) return { method: 'totp', code: dto.code };
  if (dto.recoveryCode !== undefined) return { method: 'recovery_code', code: dto.recoveryCode };
  return { method: 'passkey', response: dto.passkey!, expectedChallenge: webauthnChallenge };
}
