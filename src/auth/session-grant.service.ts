import { Injectable } from '@nestjs/common';
import type { Transport } from '../access/token-source';
import type { ClientInfo } from '../common/client-info';
import { CsrfService } from '../csrf/csrf.service';
import type { IssuedRefreshToken } from '../sessions/refresh-token.service';
import { AccessTokenService, IssuedAccessToken } from '../tokens/access-token.service';
import { FingerprintService } from '../tokens/fingerprint.service';
import { UserResponseDto } from '../users/dto/user-response.dto';
import type { User } from '../users/entities/user.entity';

interface GrantBase extends IssuedRefreshToken {
  user: UserResponseDto;
  accessToken: IssuedAccessToken;
}

/** Everything a successful login or refresh hands out; the controller decides what goes where. */
export type SessionGrant =
  | (GrantBase & { transport: 'bearer' })
  /** Browsers also get the random value the access token is bound to, and the session's CSRF token. */
  | (GrantBase & { transport: 'cookie'; fingerprintCookie: string; csrfToken: string; dbscOffer?: string });

/**
 * What a login, a refresh or a password change hands out with its refresh token: an access token bound to
 * the device (the `fgp` claim: the browser's fingerprint cookie, or a bearer client's IP, with the
 * User-Agent) and, for browsers, the session's CSRF token. Login challenges are bound to the same factors.
 */
@Injectable()
export class SessionGrantService {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly fingerprints: FingerprintService,
    private readonly csrf: CsrfService,
  ) {}

  /** A browser's session is bound to this value for life: refreshes need it back (device-binding.ts). */
  newFingerprintCookie(transport: Transport): string | undefined {
    return transport === 'cookie' ? this.fingerprints.newCookieValue() : undefined;
  }

  /**
   * What a challenge is bound to: the same factors as an access token's `fgp` (the browser's fingerprint
   * cookie, or a bearer client's IP), so a challenge stolen from one client is useless on another.
   */
  clientBinding(transport: Transport, client: ClientInfo, fingerprintCookie: string | undefined): string {
    return transport === 'cookie'
      ? this.fingerprints.bind({ transport, fingerprintCookie: fingerprintCookie ?? '', userAgent: client.userAgent })
      : this.fingerprints.bind({ transport, ip: client.ip, userAgent: client.userAgent });
  }

  grant(
    user: User,
    issued: IssuedRefreshToken,
    client: ClientInfo,
    fingerprintCookie: string | undefined,
  ): SessionGrant {
    const sign = (fingerprint: string) =>
      this.accessTokens.issue({
        userId: user.id,
        sessionId: issued.session.id,
        roles: user.roles,
        fingerprint,
        transport: issued.session.transport,
        authenticatedAt: issued.session.authenticatedAt ?? issued.session.createdAt,
        amr: issued.session.amr ?? ['pwd'],
        dpopJkt: issued.session.dpopJkt,
        deviceBound: Boolean(issued.session.dbscKey),
      });
    const base = { ...issued, user: UserResponseDto.from(user) };
    if (issued.session.transport === 'bearer') {
      const fingerprint = this.fingerprints.bind({ transport: 'bearer', ip: client.ip, userAgent: client.userAgent });
      return { ...base, transport: 'bearer', accessToken: sign(fingerprint) };
    }
    // A browser keeps the fingerprint its session is bound to: never a new one on refresh (checked by RefreshTokenService.checkPresented).
    if (!fingerprintCookie) throw new Error('a browser session is granted only with its fingerprint cookie');
    const fingerprint = this.fingerprints.bind({ transport: 'cookie', fingerprintCookie, userAgent: client.userAgent });
    return {
      ...base,
      transport: 'cookie',
      accessToken: sign(fingerprint),
      fingerprintCookie,
      csrfToken: this.csrf.issue(issued.session.id),
    };
  }
}
