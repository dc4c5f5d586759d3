import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import { decodeJwt, errors, type JWTPayload, jwtVerify } from 'jose';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { accessTokenSource } from '../access/token-source';
import { isCanonicalCompactJws } from '../tokens/compact-jws';
import { RejectionReason, TokenRejectedError } from '../tokens/token-rejection';
import { Clock } from '../common/clock/clock';
import type { Role } from '../access/role';
import { issuersConfig } from './issuers.config';
import type { ExternalIssuerSettings } from './external-issuer-settings';
import { DpopProofError } from '../dpop/dpop-proof-error';
import { DpopProofService } from '../dpop/dpop-proof.service';
import { KeySetUnavailableError, RemoteKeySet, UnknownKeyError } from './remote-key-set';

/** The same leeway Warden allows its own tokens (RFC 7519 §4.1.4). */
const CLOCK_TOLERANCE_SECONDS = 5;

interface TrustedIssuer {
  settings: ExternalIssuerSettings;
  keys: RemoteKeySet;
}

/**
 * Verifies access tokens of the OpenID providers named in EXTERNAL_ISSUERS. With none configured it never
 * claims a token, and the guard behaves exactly as without it. The token's `iss` only picks which trusted
 * issuer's keys and rules apply; jose then enforces that issuer, its audience, its algorithms (never the
 * token's choice), `typ`, `exp` and `iat`.
 */
@Injectable()
export class ExternalIssuersService {
  private readonly issuers: Map<string, TrustedIssuer>;

  constructor(
    private readonly clock: Clock,
    private readonly dpopProofs: DpopProofService,
    @Inject(issuersConfig.KEY) config: ConfigType<typeof issuersConfig>,
  ) {
    this.issuers = new Map(
      config.external.map((settings) => [
        settings.issuer,
        { settings, keys: new RemoteKeySet(settings.issuer, settings.jwksUri, clock) },
      ]),
    );
  }

  /** The trusted external issuer the request's token names, or undefined: then it is Warden's to verify. */
  issuerOf(request: Request): string | undefined {
    if (this.issuers.size === 0) return undefined;
    const token = accessTokenSource(request)?.token;
    if (!token) return undefined;
    let claimed: unknown;
    try {
      claimed = decodeJwt(token).iss;
    } catch {
      return undefined; // malformed: Warden's own verifier refuses it with the precise reason
    }
    return typeof claimed === 'string' && this.issuers.has(claimed) ? claimed : undefined;
  }

  async verify(request: Request, issuer: string): Promise<AuthenticatedUser> {
    const { settings, keys } = this.issuers.get(issuer)!;
    const source = accessTokenSource(request)!;
    // The access cookie is Warden's own: an external token there was planted, not issued to this browser.
    if (source.transport !== 'bearer') throw new TokenRejectedError('bad_issuer');
    // jose decodes leniently too: one token, one spelling, whoever issued it.
    if (!isCanonicalCompactJws(source.token)) throw new TokenRejectedError('malformed');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(source.token, (header) => keys.keyFor(header), {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: settings.algorithms,
        typ: settings.tokenType,
        requiredClaims: ['sub', 'exp', 'iat'],
        currentDate: this.clock.now(),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      throw new TokenRejectedError(reasonFor(error));
    }
    // An issuer that binds its tokens to a DPoP key (Keycloak, Auth0): the same proof as for Warden's own.
    await this.dpopProofs.checkBinding(request, source.token, source.scheme, claims.cnf).catch((error: unknown) => {
      throw error instanceof DpopProofError ? new TokenRejectedError(error.reason) : error;
    });
    return {
      issuer: settings.issuer,
      userId: claims.sub!,
      // No Warden session stands behind the token; routes that act on sessions never see it (see the guard).
      sessionId: '',
      jti: typeof claims.jti === 'string' ? claims.jti : '',
      roles: mapRoles(settings, claims),
      issuedAt: claims.iat!,
      expiresAt: claims.exp!,
      transport: 'bearer',
    };
  }
}

/** Warden roles the issuer's role names map to; names the mapping does not list grant nothing. */
function mapRoles(settings: ExternalIssuerSettings, claims: JWTPayload): Role[] {
  if (settings.rolesClaim === null) return [];
  let value: unknown = claims;
  for (const part of settings.rolesClaim.split('.')) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  // Arrays (Keycloak, Auth0) or a space-separated string (the `scope` style).
  const names = Array.isArray(value) ? value : typeof value === 'string' ? value.split(' ') : [];
  const roles = names
    .filter((name): name is string => typeof name === 'string' && Object.hasOwn(settings.roles, name))
    .map((name) => settings.roles[name]);
  return [...new Set(roles)];
}

function reasonFor(error: unknown): RejectionReason {
  if (error instanceof UnknownKeyError) return 'unknown_kid';
  if (error instanceof KeySetUnavailableError) return 'jwks_unavailable';
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'bad_alg';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return 'missing_claims';
    const byClaim: Record<string, RejectionReason> = {
      iss: 'bad_issuer',
      aud: 'bad_audience',
      typ: 'bad_typ',
      nbf: 'not_yet_valid',
      iat: 'not_yet_valid',
    };
    return byClaim[error.claim] ?? 'invalid';
  }
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) return 'malformed';
  return 'invalid';
}
