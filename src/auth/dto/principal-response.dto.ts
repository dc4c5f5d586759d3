import type { Role } from '../../access/role';
import type { Transport } from '../../access/token-source';
import type { AuthenticatedUser } from '../../access/authenticated-user';

/** Who the guard decided the caller is: Warden's user or an external issuer's subject. */
export class PrincipalResponseDto {
  /** JWT_ISSUER for Warden's own tokens, otherwise the external issuer that signed the token. */
  issuer!: string;
  /** The token's `sub`: a Warden user id, or the external issuer's subject. */
  sub!: string;
  roles!: Role[];
  transport!: Transport;
  /** When the presented access token expires (ISO 8601). */
  expiresAt!: string;

  static from(principal: AuthenticatedUser): PrincipalResponseDto {
    return {
      issuer: principal.issuer,
      sub: principal.userId,
      roles: principal.roles,
      transport: principal.transport,
      expiresAt: new Date(principal.expiresAt * 1000).toISOString(),
    };
  }
}
