import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService, type JwtVerifyOptions } from '@nestjs/jwt';
import { PassportStrategy } from '@nestjs/passport';
import { Interval } from '@nestjs/schedule';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { clientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import type { Role } from '../access/role';
import { jwtConfig, SIGNING_ALGORITHMS } from '../keys/jwt.config';
import { DpopProofError } from '../dpop/dpop-proof-error';
import { DpopProofService } from '../dpop/dpop-proof.service';
import { KeyStore, type VerificationKey } from '../keys/key-store.service';
import { ACCESS_TOKEN_TYPE, AccessTokenClaims } from '../tokens/access-token.service';
import { BoundCookieService, DBSC_COOKIE } from '../tokens/bound-cookie.service';
import { BindingFactors, FingerprintService } from '../tokens/fingerprint.service';
import { RevocationStore } from '../tokens/revocation.store';
import { accessTokenSource, FINGERPRINT_COOKIE, readCookie } from '../access/token-source';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { isCanonicalCompactJws } from '../tokens/compact-jws';
import { TokenRejectedError } from '../tokens/token-rejection';
import { VerifiedTokenCache } from './verified-token-cache';

/** Small clock skew between instances; RFC 7519 §4.1.4 allows "some small leeway". */
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Verifies access tokens. The key, and with it the one acceptable algorithm, is chosen by the server from
 * the kid (RFC 8725 §3.1): `none`, HMAC with a public key and embedded `jwk`/`jku` keys never get a say.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly verifiedTokens: VerifiedTokenCache;
  private readonly verifyOptions: JwtVerifyOptions;

  constructor(
    private readonly keyStore: KeyStore,
    private readonly fingerprints: FingerprintService,
    private readonly boundCookies: BoundCookieService,
    private readonly revocations: RevocationStore,
    private readonly jwtService: JwtService,
    private readonly clock: Clock,
    private readonly dpopProofs: DpopProofService,
    @Inject(jwtConfig.KEY) jwt: ConfigType<typeof jwtConfig>,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromExtractors([(request: Request) => accessTokenSource(request)?.token ?? null]),
      secretOrKeyProvider: (_request: Request, rawToken: string, done: (error: unknown, key?: string) => void) => {
        verificationKeyFor(keyStore, rawToken).then(
          // A KeyObject, which jsonwebtoken takes as it is; passport-jwt's type names only strings.
          (key) => done(null, key.publicKey as unknown as string),
          (error: unknown) => done(error),
        );
      },
      algorithms: [...SIGNING_ALGORITHMS],
      issuer: jwt.issuer,
      audience: jwt.audience,
      jsonWebTokenOptions: { clockTolerance: CLOCK_TOLERANCE_SECONDS },
      passReqToCallback: true,
    });
    this.verifiedTokens = new VerifiedTokenCache(jwt.verifiedTokenCacheSize);
    this.verifyOptions = {
      issuer: jwt.issuer,
      audience: jwt.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    };
  }

  /**
   * The global guard's path: the same checks as the passport-jwt strategy above (which stays registered
   * for `AuthGuard('jwt')`), without passport's per-request wrapping, and with the signature checked once
   * per token. A token seen before skips only the signature and claim verification; revocation, the
   * fingerprint and the transport are checked in validate() on every request, and the key that verified
   * it must still be one we verify with.
   */
  async verifyRequest(request: Request): Promise<AuthenticatedUser> {
    const rawToken = accessTokenSource(request)?.token;
    if (!rawToken) throw new TokenRejectedError('missing_token');
    return this.validate(request, await this.verifiedClaims(rawToken));
  }

  /** Drops cached tokens once they expire, so memory follows live tokens rather than the cache's bound. */
  @Interval('verified-token-cache-sweep', 60_000)
  sweepVerifiedTokens(): void {
    this.verifiedTokens.sweep(epochSeconds());
  }

  private async verifiedClaims(rawToken: string): Promise<Partial<AccessTokenClaims>> {
    const now = epochSeconds();
    const cached = this.verifiedTokens.get(rawToken, now);
    // The same key object, or the key was retired or revoked since: verify again (and fail).
    if (cached && this.keyStore.verificationKey(cached.kid)?.publicKey === cached.key) return cached.claims;
    const key = await verificationKeyFor(this.keyStore, rawToken);
    const claims = this.jwtService.verify<Partial<AccessTokenClaims>>(rawToken, {
      ...this.verifyOptions,
      // The KeyObject itself: jsonwebtoken accepts one, @nestjs/jwt's option type names only strings.
      publicKey: key.publicKey as unknown as Buffer,
      algorithms: [key.alg],
      // One reading of the clock for the check and for the cache's expiry, so the two always agree.
      clockTimestamp: now,
    });
    // Frozen: one cached object answers many requests, none of which may change it for the next.
    if (Array.isArray(claims.roles)) Object.freeze(claims.roles);
    if (claims.cnf !== null && typeof claims.cnf === 'object') Object.freeze(claims.cnf);
    this.verifiedTokens.set(rawToken, { claims: Object.freeze(claims), kid: key.kid, key: key.publicKey });
    return claims;
  }

  async validate(request: Request, claims: Partial<AccessTokenClaims>): Promise<AuthenticatedUser> {
    if (!hasRequiredClaims(claims)) throw new TokenRejectedError('missing_claims');
    const details = { userId: claims.sub, sessionId: claims.sid };
    // jsonwebtoken checks exp and nbf but not iat. A token issued "in the future" would outlive the
    // revocation of every token issued before now (logout-all, password change), which compares iat.
    if (claims.iat > this.clock.nowSeconds() + CLOCK_TOLERANCE_SECONDS) {
      throw new TokenRejectedError('not_yet_valid', details);
    }
    const source = accessTokenSource(request);
    // Unreachable today (the extractor found a token), but an unknown source must never default to the
    // CSRF-exempt bearer transport.
    if (!source) throw new TokenRejectedError('invalid', details);
    // Revocation first: a dead session's token is simply revoked, whatever else is wrong with it, so
    // replaying a stolen token cannot keep feeding the fingerprint-mismatch rule.
    const revoked = await this.revocations.check(claims);
    if (revoked) throw new TokenRejectedError(revoked, details);
    // A proof is checked on every request, never cached; a plain bearer token pays two property reads.
    if (claims.cnf !== undefined || source.scheme === 'DPoP') {
      await this.dpopProofs.checkBinding(request, source.token, source.scheme, claims.cnf).catch((error: unknown) => {
        throw error instanceof DpopProofError ? new TokenRejectedError(error.reason, details) : error;
      });
    }
    const { transport } = source;
    const { ip, userAgent } = clientInfo(request);
    let factors: BindingFactors;
    if (transport === 'cookie') {
      const fingerprintCookie = readCookie(request, FINGERPRINT_COOKIE);
      if (!fingerprintCookie) throw new TokenRejectedError('fingerprint_missing', details);
      factors = { transport, fingerprintCookie, userAgent };
    } else {
      factors = { transport, ip, userAgent };
    }
    if (!this.fingerprints.matches(claims.fgp, factors)) {
      throw new TokenRejectedError('fingerprint_mismatch', details);
    }
    // A DBSC session (src/dbsc): the token alone is not enough, the key-earned short-lived cookie must be
    // here too. Checked on every request, cached token or not; one HMAC.
    if (claims.dbsc === true) {
      const failure = this.boundCookies.failure(readCookie(request, DBSC_COOKIE), claims.sid, this.clock.nowSeconds());
      if (failure) throw new TokenRejectedError(failure, details);
    }
    return {
      issuer: claims.iss,
      userId: claims.sub,
      sessionId: claims.sid,
      jti: claims.jti,
      roles: claims.roles,
      issuedAt: claims.iat,
      expiresAt: claims.exp,
      authTime: typeof claims.auth_time === 'number' ? claims.auth_time : undefined,
      amr: Array.isArray(claims.amr) ? claims.amr.filter((method) => typeof method === 'string') : undefined,
      transport,
    };
  }
}

async function verificationKeyFor(keyStore: KeyStore, rawToken: string): Promise<VerificationKey> {
  // Before anything is decoded: one token, one spelling (the decoders below would accept others).
  if (!isCanonicalCompactJws(rawToken)) throw new TokenRejectedError('malformed');
  const header = decodeHeader(rawToken);
  if (!header) throw new TokenRejectedError('malformed');
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : undefined;
  if (typ !== ACCESS_TOKEN_TYPE && typ !== `application/${ACCESS_TOKEN_TYPE}`) {
    throw new TokenRejectedError('bad_typ');
  }
  // RFC 7515 §4.1.11: a critical extension we do not implement must make the token invalid.
  if (header.crit !== undefined) throw new TokenRejectedError('unsupported_crit');
  if (typeof header.kid !== 'string' || header.kid.length === 0) throw new TokenRejectedError('missing_kid');
  const key = await keyStore.findVerificationKey(header.kid);
  if (!key) throw new TokenRejectedError('unknown_kid');
  if (header.alg !== key.alg) throw new TokenRejectedError('bad_alg');
  return key;
}

/**
 * Token expiry follows the real clock, as it does for every other verifier of these tokens (a resource
 * server with the JWKS), not the injectable application Clock.
 */
function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function decodeHeader(rawToken: string): Record<string, unknown> | undefined {
  const [encoded] = rawToken.split('.');
  try {
    const header: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    return header !== null && typeof header === 'object' && !Array.isArray(header)
      ? (header as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function hasRequiredClaims(claims: Partial<AccessTokenClaims>): claims is AccessTokenClaims {
  return (
    typeof claims.sub === 'string' &&
    typeof claims.sid === 'string' &&
    typeof claims.jti === 'string' &&
    typeof claims.iat === 'number' &&
    typeof claims.exp === 'number' &&
    typeof claims.fgp === 'string' &&
    Array.isArray(claims.roles) &&
    claims.roles.every((role: Role) => typeof role === 'string') &&
    (claims.cnf === undefined || (typeof claims.cnf === 'object' && typeof claims.cnf?.jkt === 'string'))
  );
}
