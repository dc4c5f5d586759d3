import type { Role } from './role';
import type { Transport } from './token-source';

/** The principal behind a verified access token, as the guard attaches it to the request. */
export interface AuthenticatedUser {
  /**
   * Who signed the token: Warden (JWT_ISSUER) or one of EXTERNAL_ISSUERS. An external principal reaches
   * only routes marked @AcceptExternalIssuers(); it has no Warden session (`sessionId` is empty) and its
   * `userId` is the issuer's `sub`, not a Warden user id.
   */
  issuer: string;
  userId: string;
  sessionId: string;
  jti: string;
  roles: Role[];
  issuedAt: number;
  expiresAt: number;
  /** `auth_time`: when the user last proved who they are (login or step-up); absent for external tokens. */
  authTime?: number;
  /** RFC 8176 `amr`: how they did (`pwd`, `otp`, `hwk`, `mfa`, ...). */
  amr?: string[];
  /** How the token arrived: cookie requests are subject to CSRF checks, bearer requests are not. */
  transport: Transport;
}
