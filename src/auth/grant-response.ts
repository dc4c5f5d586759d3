import type { Response } from 'express';
import { REGISTRATION_HEADER } from '../dbsc/dbsc-headers';
import { setSessionCookies } from './auth-cookies';
import type { SessionGrant } from './session-grant.service';
import type { BearerSessionResponseDto, CookieSessionResponseDto } from './dto/session-response.dto';

/** A login, refresh or token replacement as the client receives it: bearer tokens in the body, cookies for browsers. */
export function sendGrant(
  grant: SessionGrant,
  response: Response,
  config: { cookieSecure: boolean; clientIdleTimeoutSeconds: number },
): CookieSessionResponseDto | BearerSessionResponseDto {
  if (grant.transport === 'bearer') {
    return {
      accessToken: grant.accessToken.token,
      refreshToken: grant.refreshToken,
      // RFC 9449 §5: a DPoP-bound access token is of type DPoP, sent as `Authorization: DPoP <token>`.
      tokenType: grant.session.dpopJkt ? 'DPoP' : 'Bearer',
      expiresIn: grant.accessToken.expiresIn,
      user: grant.user,
    };
  }
  if (grant.dbscOffer) response.setHeader(REGISTRATION_HEADER, grant.dbscOffer);
  setSessionCookies(
    response,
    {
      accessToken: grant.accessToken.token,
      accessTokenMaxAgeSeconds: grant.accessToken.expiresIn,
      fingerprint: grant.fingerprintCookie,
      refreshToken: grant.refreshToken,
      refreshTokenMaxAgeSeconds: grant.refreshTokenExpiresIn,
    },
    config.cookieSecure,
  );
  return {
    user: grant.user,
    accessTokenExpiresAt: grant.accessToken.expiresAt.toISOString(),
    csrfToken: grant.csrfToken,
    idleTimeoutSeconds: config.clientIdleTimeoutSeconds,
  };
}
