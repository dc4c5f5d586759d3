import { BadRequestException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { ChallengeRefusedError, ChallengeService } from '../mfa/challenge.service';
import { PasskeyService } from '../mfa/passkey.service';
import { AMR_OF, SecondFactorService } from '../mfa/second-factor.service';
import { SessionsService } from '../sessions/sessions.service';
import { AccessTokenService, IssuedAccessToken } from '../tokens/access-token.service';
import { FingerprintService } from '../tokens/fingerprint.service';
import { UsersService } from '../users/users.service';
import type { AuthenticatedUser } from '../access/authenticated-user';
import type { StepUpDto } from './dto/second-factor.dto';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordService } from './password.service';
import { proofFrom } from './second-factor-login.service';

/**
 * Re-authentication inside a session, for @RequiresRecentAuth() routes. An account with a second factor
 * must use it (a stolen password alone does not step up); one without gives its password. Either way the
 * session's `auth_time` becomes now and a new access token carries it.
 */
@Injectable()
export class StepUpService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly secondFactors: SecondFactorService,
    private readonly passkeys: PasskeyService,
    private readonly challenges: ChallengeService,
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokenService,
    private readonly fingerprints: FingerprintService,
    private readonly loginThrottle: LoginThrottleService,
    private readonly audit: AuditService,
  ) {}

  /** WebAuthn options for stepping up with a passkey, bound to this session. */
  async passkeyOptions(principal: AuthenticatedUser): Promise<{
    challenge: string;
    options: PublicKeyCredentialRequestOptionsJSON;
  }> {
    const options = await this.passkeys.authenticationOptions(principal.userId);
    const { handle } = await this.challenges.issue({
      purpose: 'step_up',
      userId: principal.userId,
      transport: principal.transport,
      binding: sessionBinding(principal),
      webauthnChallenge: options.challenge,
    });
    return { challenge: handle, options };
  }

  async stepUp(
    principal: AuthenticatedUser,
    dto: StepUpDto,
    client: ClientInfo,
    fingerprintCookie: string | undefined,
  ): Promise<{ accessToken: IssuedAccessToken; authTime: Date }> {
    const user = await this.users.getById(principal.userId);
    const methods = await this.secondFactors.methodsOf(user.id);
    const attempt = await this.loginThrottle.begin('second_factor', user.email, client, user.id);
    let method: string;
    let accepted: boolean;
    if (methods.length === 0) {
      if (dto.password === undefined) throw new BadRequestException('Send your current password');
      method = 'pwd';
      const password = dto.password;
      accepted = await this.loginThrottle.verify(attempt, () => this.passwords.verify(user.passwordHash, password));
    } else {
      if (dto.password !== undefined) {
        throw new BadRequestException('This account has a second factor: confirm with it, not with the password');
      }
      const webauthnChallenge = dto.passkey ? await this.stepUpChallenge(principal, dto.challenge) : null;
      const proof = proofFrom(dto, webauthnChallenge);
      method = AMR_OF[proof.method];
      accepted = await this.secondFactors.verify(user.id, proof);
    }
    if (!accepted) {
      await this.loginThrottle.failed(attempt);
      this.audit.record({
        type: 'step_up_failed',
        success: false,
        userId: user.id,
        sessionId: principal.sessionId,
        client,
        reason: `bad_${method}`,
      });
      throw new UnauthorizedException('The confirmation was not accepted');
    }
    await this.loginThrottle.succeeded(attempt);
    const session = await this.sessions.reauthenticated(principal.sessionId, [method]);
    if (!session) throw new UnauthorizedException('Invalid or missing access token');
    this.audit.record({
      type: 'step_up',
      success: true,
      userId: user.id,
      sessionId: session.id,
      client,
      metadata: { method },
    });
    const fingerprint =
      principal.transport === 'cookie'
        ? this.fingerprints.bind({
            transport: 'cookie',
            fingerprintCookie: fingerprintCookie ?? '',
            userAgent: client.userAgent,
          })
        : this.fingerprints.bind({ transport: 'bearer', ip: client.ip, userAgent: client.userAgent });
    const authTime = session.authenticatedAt!;
    const accessToken = this.accessTokens.issue({
      userId: user.id,
      sessionId: session.id,
      roles: user.roles,
      fingerprint,
      transport: principal.transport,
      authenticatedAt: authTime,
      amr: session.amr ?? [method],
    });
    return { accessToken, authTime };
  }

  /** The passkey step-up's WebAuthn challenge, spent here: an assertion answers one options request. */
  private async stepUpChallenge(principal: AuthenticatedUser, handle: string | undefined): Promise<string> {
    try {
      const challenge = await this.challenges.find(handle, 'step_up', () => sessionBinding(principal));
      await this.challenges.consume(challenge);
      return challenge.webauthnChallenge!;
    } catch (error) {
      if (!(error instanceof ChallengeRefusedError)) throw error;
      throw new UnauthorizedException('Invalid or expired step-up challenge; ask for new passkey options');
    }
  }
}

/** A step-up challenge belongs to the session that asked for it. */
function sessionBinding(principal: AuthenticatedUser): string {
  return `session:${principal.sessionId}`;
}
