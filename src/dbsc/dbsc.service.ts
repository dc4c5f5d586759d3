import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { calculateJwkThumbprint, decodeJwt, type JWK, type JWTPayload } from 'jose';
import { AnomalyService } from '../anomaly/anomaly.service';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { SessionsService } from '../sessions/sessions.service';
import { BoundCookieService, DBSC_COOKIE } from '../tokens/bound-cookie.service';
import { RevocationStore } from '../tokens/revocation.store';
import { dbscConfig } from './dbsc.config';
import { DbscChallengesService } from './dbsc-challenges.service';
import { challengeHeader, registrationHeader } from './dbsc-headers';
import { ProofRejectedError, verifyRefreshProof, verifyRegistrationProof } from './dbsc-proof';

export const REGISTRATION_PATH = '/api/dbsc/register';
export const REFRESH_PATH = '/api/dbsc/refresh';

/** The session configuration JSON of the draft (§9.6), answered to registration and refresh alike. */
export interface SessionConfiguration {
  session_identifier: string;
  refresh_url: string;
  scope: { include_site: boolean; scope_specification: never[] };
  credentials: { type: 'cookie'; name: string; attributes: string }[];
}

/** A bound cookie ready to send: its Set-Cookie value, and the configuration naming it. */
export interface BoundCookieGrant {
  setCookie: string;
  configuration: SessionConfiguration;
}

export type DbscStatus =
  | { enabled: boolean; registered: false }
  | {
      enabled: boolean;
      registered: true;
      algorithm: string;
      publicKey: JWK;
      thumbprint: string;
      boundCookie: { name: string; expiresAt: string | null; lifetimeSeconds: number };
    };

export type RefreshOutcome = { challenge: string } | BoundCookieGrant;

@Injectable()
export class DbscService {
  private readonly logger = new Logger(DbscService.name);

  constructor(
    private readonly challenges: DbscChallengesService,
    private readonly sessions: SessionsService,
    private readonly boundCookies: BoundCookieService,
    private readonly revocations: RevocationStore,
    private readonly audit: AuditService,
    private readonly anomalies: AnomalyService,
    private readonly clock: Clock,
    @Inject(dbscConfig.KEY) private readonly config: ConfigType<typeof dbscConfig>,
  ) {}

  get enabled(): boolean {
    return this.config.cookieTtlSeconds > 0;
  }

  /** The Secure-Session-Registration value offered at a cookie login, or undefined when DBSC is off. */
  async registrationOffer(sessionId: string): Promise<string | undefined> {
    if (!this.enabled) return undefined;
    return registrationHeader(REGISTRATION_PATH, await this.challenges.issue(sessionId));
  }

  /**
   * Verifies the self-signed proof, binds its key to the session the challenge was issued to. The access
   * token the browser holds was issued before the binding and does not ask for the bound cookie: it is
   * revoked, so a copy taken before registration dies now; the client's next request refreshes into a
   * token that does.
   */
  async register(
    proof: string | undefined,
    accessToken: string | undefined,
    client: ClientInfo,
  ): Promise<BoundCookieGrant> {
    return this.audited(client, async () => {
      if (!this.enabled || !proof) throw new ProofRejectedError('proof_missing');
      const verified = await verifyRegistrationProof(proof);
      const sessionId = await this.challenges.consume(verified.challenge);
      const bound = await this.sessions.registerDeviceKey(sessionId, JSON.stringify(verified.publicJwk), verified.alg);
      if (!bound) throw new ProofRejectedError('already_registered', sessionId);
      await this.revokeUnboundToken(accessToken, sessionId);
      const session = await this.sessions.findById(sessionId);
      this.audit.record({
        type: 'dbsc_registered',
        success: true,
        userId: session?.userId,
        sessionId,
        client,
        metadata: { alg: verified.alg },
      });
      return this.grant(sessionId);
    });
  }

  /**
   * Without a proof: a fresh challenge (the controller answers 403). With one: it must verify with the
   * session's registered key and carry a challenge issued to this session, unused and unexpired.
   */
  async refresh(sessionId: string | undefined, proof: string | undefined, client: ClientInfo): Promise<RefreshOutcome> {
    return this.audited(client, async () => {
      const session = sessionId ? await this.sessions.findById(sessionId) : null;
      if (!session || !session.dbscKey || !session.dbscAlg || !this.sessions.isAlive(session, this.clock.now())) {
        throw new ProofRejectedError('unknown_session', session?.id);
      }
      if (!proof) return { challenge: challengeHeader(await this.challenges.issue(session.id), session.id) };
      const registered = { jwk: JSON.parse(session.dbscKey) as JWK, alg: session.dbscAlg };
      await this.challenges.consume(
        await verifyRefreshProof(proof, registered).catch((error: unknown) => {
          throw error instanceof ProofRejectedError ? new ProofRejectedError(error.reason, session.id) : error;
        }),
        session.id,
      );
      return this.grant(session.id);
    });
  }

  /** What the security lab shows about a session: its registered key and the bound cookie it holds now. */
  async status(sessionId: string, boundCookie: string | undefined): Promise<DbscStatus> {
    const session = await this.sessions.findById(sessionId);
    if (!session?.dbscKey || !session.dbscAlg) return { enabled: this.enabled, registered: false };
    const publicKey = JSON.parse(session.dbscKey) as JWK;
    const alive = this.boundCookies.failure(boundCookie, sessionId, this.clock.nowSeconds()) === null;
    return {
      enabled: this.enabled,
      registered: true,
      algorithm: session.dbscAlg,
      publicKey,
      thumbprint: await calculateJwkThumbprint(publicKey),
      boundCookie: {
        name: DBSC_COOKIE,
        // Only the expiry: the value is a credential and never leaves the browser's jar through the lab.
        expiresAt: alive ? new Date(Number(boundCookie!.split('.')[0]) * 1000).toISOString() : null,
        lifetimeSeconds: this.config.cookieTtlSeconds,
      },
    };
  }

  /**
   * Only the session's own token, and only a denylist entry until its `exp`: not verified here, since
   * revoking a token can only take access away. Tokens of the session issued between login and this
   * registration by a refresh (the challenge lives five minutes) are not known here and live out their TTL.
   */
  private async revokeUnboundToken(accessToken: string | undefined, sessionId: string): Promise<void> {
    if (!accessToken) return;
    let claims: JWTPayload;
    try {
      claims = decodeJwt(accessToken);
    } catch {
      return;
    }
    if (claims.sid !== sessionId || typeof claims.jti !== 'string' || typeof claims.exp !== 'number') return;
    await this.revocations.revokeToken(claims.jti, new Date(claims.exp * 1000));
  }

  private grant(sessionId: string): BoundCookieGrant {
    const ttl = this.config.cookieTtlSeconds;
    const value = this.boundCookies.issue(sessionId, this.clock.nowSeconds() + ttl);
    // One string for both: the draft wants the credential's attributes to match its Set-Cookie exactly.
    const attributes = `Path=/; Max-Age=${ttl}; HttpOnly; SameSite=Strict${this.config.cookieSecure ? '; Secure' : ''}`;
    return {
      setCookie: `${DBSC_COOKIE}=${value}; ${attributes}`,
      configuration: {
        session_identifier: sessionId,
        refresh_url: REFRESH_PATH,
        scope: { include_site: false, scope_specification: [] },
        credentials: [{ type: 'cookie', name: DBSC_COOKIE, attributes }],
      },
    };
  }

  /** Every refusal is audited with its reason and counted by the fingerprint-mismatch rule. */
  private async audited<T>(client: ClientInfo, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof ProofRejectedError)) throw error;
      const session = error.sessionId ? await this.sessions.findById(error.sessionId) : null;
      if (!session) {
        // No session proven (anyone can post junk here): one row per source and reason, with a count.
        this.audit.recordRejection({ type: 'dbsc_proof_rejected', reason: error.reason, client });
        throw error;
      }
      this.audit.record({
        type: 'dbsc_proof_rejected',
        success: false,
        reason: error.reason,
        userId: session.userId,
        sessionId: session.id,
        client,
      });
      await this.anomalies
        .fingerprintMismatch(session.userId, session.id, client)
        .catch((cause: Error) => this.logger.error(`Fingerprint mismatch rule failed: ${cause.message}`));
      throw error;
    }
  }
}
