import type { Role } from '../common/decorators/roles.decorator';
import type { Transport } from '../tokens/fingerprint.service';

/** The principal behind a verified access token, as the guard attaches it to the request. */
export interface AuthenticatedUser {
  userId: string;
  sessionId: string;
  jti: string;
  roles: Role[];
  issuedAt: number;
  expiresAt: number;
  /** How the token arrived: cookie requests are subject to CSRF checks, bearer requests are not. */
  transport: Transport;
}
