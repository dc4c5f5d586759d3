import { appConfig } from '../config/app-settings';
import { duration, integer } from '../config/readers';
import { defineSettings } from '../config/settings';

export const SESSION_SETTINGS = {
  /** Idle lifetime: a refresh token unused this long expires. Longer than ACCESS_TOKEN_TTL (src/app.config.ts). */
  REFRESH_TOKEN_TTL: duration('7d', 1, 365 * 86_400),
  /** Absolute lifetime, whatever the refreshing. */
  SESSION_MAX_AGE: duration('30d', 1, 3650 * 86_400),
  REFRESH_REUSE_GRACE: duration('0s', 0, 60, 'a longer grace lets a stolen refresh token race the owner'),
  /** Live sessions one user may hold; a login beyond it ends the one unused the longest. */
  MAX_SESSIONS_PER_USER: integer(10, 1, 1000),
  /** The browser client stops its silent refresh after this long without user input (ASVS 5.0 7.3.1). */
  CLIENT_IDLE_TIMEOUT: duration(
    '30m',
    60,
    7 * 86_400,
    'the browser client stops refreshing after this long without input',
  ),
};

export const sessionConfig = defineSettings('session', SESSION_SETTINGS, (values, { problems, get }) => {
  if (values.SESSION_MAX_AGE < values.REFRESH_TOKEN_TTL) {
    problems.push('SESSION_MAX_AGE must be at least REFRESH_TOKEN_TTL');
  }
  return {
    refreshTokenTtlSeconds: values.REFRESH_TOKEN_TTL,
    maxAgeSeconds: values.SESSION_MAX_AGE,
    reuseGraceSeconds: values.REFRESH_REUSE_GRACE,
    maxSessionsPerUser: values.MAX_SESSIONS_PER_USER,
    clientIdleTimeoutSeconds: values.CLIENT_IDLE_TIMEOUT,
    // The session cookies' Secure flag; COOKIE_SECURE is app-wide (production refuses false).
    cookieSecure: get(appConfig).cookieSecure,
  };
});
