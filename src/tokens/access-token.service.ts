import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock/clock';
import type { Role } from '../access/role';
import { jwtConfig } from '../keys/jwt.config';
import { KeyStore } from '../keys/key-store.service';
import type { Transport } from '../access/token-source';

/** RFC 9068 §2.1: the media type of an OAuth access token JWT, so it cannot pass for an ID token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/**
 * RFC 9068 §2.2 `client_id`: the OAuth client the token was issued to. Warden has no client registration,
 * so the id names the kind of client that logged in: its own browser client (cookie sessions) or the one
 * public client every bearer caller (scripts, apps, services) shares.
 */
export const CLIENT_IDS: Record<Transport, string> = { cookie: 'warden-browser', bearer: 'warden-bearer' };

/** RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat and jti are required; auth_time is optional. */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  client_id: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  /** When the user typed the password: the login that started the session, not the last refresh. */
  auth_time: number;
  /** RFC 8176 authentication methods of the session (`pwd`, `otp`, `hwk`, `mfa`, ...). */
  amr: string[];
  /** The assurance level those methods reach (NIST SP 800-63B AAL1 or AAL2), see ACR_VALUES. */
  acr: string;
  fgp: string;
  roles: Role[];
  /** RFC 9449 §6.1: the token is bound to the DPoP key with this RFC 7638 thumbprint. */
  cnf?: { jkt: string };
  /** Present (true) once the browser registered a DBSC key: the token then needs the bound cookie too. */
  dbsc?: true;
}

/** `acr` values: NIST SP 800-63B assurance levels as login.gov names them. Two factors reach AAL2. */
export const ACR_VALUES = {
  singleFactor: 'http://idmanagement.gov/ns/assurance/aal/1',
  multiFactor: 'http://idmanagement.gov/ns/assurance/aal/2',
} as const;

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresAt: Date;
  expiresIn: number;
}

@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwtService: JwtService,
    private readonly keyStore: KeyStore,
    private readonly clock: Clock,
    @Inject(jwtConfig.KEY) private readonly jwt: ConfigType<typeof jwtConfig>,
  ) {}

  /** Signs a short-lived access token with the active key. The payload holds no secret or personal data. */
  issue(subject: {
    userId: string;
    sessionId: string;
    roles: Role[];
    fingerprint: string;
    transport: Transport;
    authenticatedAt: Date;
    amr: string[];
    dpopJkt?: string | null;
    /** Another resource server (one of RESOURCE_AUDIENCES); Warden's own audience by default. */
    audience?: string;
    deviceBound?: boolean;
  }): IssuedAccessToken {
    const key = this.keyStore.activeSigningKey();
    const iat = this.clock.nowSeconds();
    const exp = iat + this.jwt.accessTokenTtlSeconds;
    const claims: AccessTokenClaims = {
      iss: this.jwt.issuer,
      aud: subject.audience ?? this.jwt.audience,
      sub: subject.userId,
      client_id: CLIENT_IDS[subject.transport],
      sid: subject.sessionId,
      jti: randomUUID(),
      iat,
      exp,
      auth_time: Math.floor(subject.authenticatedAt.getTime() / 1000),
      amr: subject.amr,
      acr: subject.amr.includes('mfa') ? ACR_VALUES.multiFactor : ACR_VALUES.singleFactor,
      fgp: subject.fingerprint,
      roles: subject.roles,
      ...(subject.dpopJkt ? { cnf: { jkt: subject.dpopJkt } } : {}),
      ...(subject.deviceBound ? { dbsc: true as const } : {}),
    };
    // The header is spelled out whole: the active key decides both alg and kid.
    const token = this.jwtService.sign(claims, {
      privateKey: key.privateKey,
      algorithm: key.alg,
      header: { alg: key.alg, typ: ACCESS_TOKEN_TYPE, kid: key.kid },
    });
    return { token, jti: claims.jti, expiresAt: new Date(exp * 1000), expiresIn: exp - iat };
  }
}
