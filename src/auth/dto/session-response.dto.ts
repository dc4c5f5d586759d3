import type { Response } from 'express';
import type { SecondFactorMethod } from '../../mfa/second-factor.service';
import type { UserResponseDto } from '../../users/dto/user-response.dto';
import { setSessionCookies } from '../auth-cookies';
import type { SessionGrant } from '../auth.service';

/** Login and refresh for browsers: the tokens went into HttpOnly cookies; the page gets none of them. */
export class CookieSessionResponseDto {
  user!: UserResponseDto;
  accessTokenExpiresAt!: string;
  /** Send back as X-CSRF-Token on unsafe requests; keep in memory only. */
  csrfToken!: string;
}

/** Login and refresh for non-browser clients, which hold the tokens themselves. */
export class BearerSessionResponseDto {
  accessToken!: string;
  refreshToken!: string;
  tokenType!: 'Bearer';
  expiresIn!: number;
  user!: UserResponseDto;
}

/** The password was right and the account has a second factor: no session or token yet, only a challenge. */
export class SecondFactorRequiredDto {
  secondFactorRequired!: true;
  /** Single-use, five minutes, bound to this client: send it to POST /api/auth/login/second-factor. */
  challenge!: string;
  methods!: SecondFactorMethod[];
  expiresAt!: string;
}

/** Puts a session grant where its transport wants it: cookies for browsers, the body for bearer clients. */
export function respondWithSession(
  grant: SessionGrant,
  response: Response,
  cookieSecure: boolean,
): CookieSessionResponseDto | BearerSessionResponseDto {
  if (grant.transport === 'bearer') {
    return {
      accessToken: grant.accessToken.token,
      refreshToken: grant.refreshToken,
      tokenType: 'Bearer',
      expiresIn: grant.accessToken.expiresIn,
      user: grant.user,
    };
  }
  setSessionCookies(
    response,
    {
      accessToken: grant.accessToken.token,
      accessTokenMaxAgeSeconds: grant.accessToken.expiresIn,
      fingerprint: grant.fingerprintCookie,
      refreshToken: grant.refreshToken,
      refreshTokenMaxAgeSeconds: grant.refreshTokenExpiresIn,
    },
    cookieSecure,
  );
  return {
    user: grant.user,
    accessTokenExpiresAt: grant.accessToken.expiresAt.toISOString(),
    csrfToken: grant.csrfToken,
  };
}
