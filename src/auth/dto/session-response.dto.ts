import type { SecondFactorMethod } from '../../mfa/second-factor.service';
import type { UserResponseDto } from '../../users/dto/user-response.dto';

/** Login and refresh for browsers: the tokens went into HttpOnly cookies; the page gets none of them. */
export class CookieSessionResponseDto {
  user!: UserResponseDto;
  accessTokenExpiresAt!: string;
  /** Send back as X-CSRF-Token on unsafe requests; keep in memory only. */
  csrfToken!: string;
  /** CLIENT_IDLE_TIMEOUT: stop refreshing after this many seconds without user input (ASVS 5.0 7.3.1). */
  idleTimeoutSeconds!: number;
}

/** Login and refresh for non-browser clients, which hold the tokens themselves. */
export class BearerSessionResponseDto {
  accessToken!: string;
  refreshToken!: string;
  /** `DPoP` when the login carried a DPoP proof: send the token as `Authorization: DPoP <token>`. */
  tokenType!: 'Bearer' | 'DPoP';
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
