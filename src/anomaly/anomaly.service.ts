import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, Repository } from 'typeorm';
import type { Alert, AlertPayload } from '../alerts/alert';
import { AlertService } from '../alerts/alert.service';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { anomalyConfig } from './anomaly.config';
import type { Session } from '../sessions/entities/session.entity';
import { SessionsService } from '../sessions/sessions.service';
import { AttemptStore } from '../throttle/attempt-store';
import { ipPrefix } from '../common/ip-prefix';
import { userAgentFamily } from '../common/user-agent-family';
import { KnownDevicesService } from '../known-devices/known-devices.service';
import { UserFlag } from './entities/user-flag.entity';

/** Two uses of one session from different /16 (IPv4) or /32 (IPv6) networks look like two parties. */
const SPREAD_V4_BITS = 16;
const SPREAD_V6_BITS = 32;
const SPACE = 0x20;
/**
 * Bearer mismatches carrying the session's own User-Agent need this many times ANOMALY_FINGERPRINT_MISMATCHES
 * distinct networks: the owner's own network change looks the same for its first few.
 */
export const SAME_USER_AGENT_FACTOR = 2;

/** What an admin sees beside a flagged user's alerts. */
export interface UserFlagSummary {
  reason: string;
  flaggedAt: string;
  alertId: string;
}

/**
 * Theft signals. Each rule is called by the service or guard where its event happens, and each one that
 * fires raises an alert (an `alert_raised` audit event, a log line, the webhook). Counters live in the
 * AttemptStore, so only the rare paths (a rejection, a login) touch the database.
 */
@Injectable()
export class AnomalyService {
  private readonly logger = new Logger(AnomalyService.name);
  /** Flag writes still in flight; readers wait for them so an admin never misses a flag just raised. */
  private readonly pendingFlags = new Set<Promise<void>>();

  constructor(
    @Inject(anomalyConfig.KEY) private readonly config: ConfigType<typeof anomalyConfig>,
    @InjectRepository(UserFlag) private readonly flags: Repository<UserFlag>,
    private readonly store: AttemptStore,
    private readonly knownDevices: KnownDevicesService,
    private readonly sessions: SessionsService,
    private readonly alerts: AlertService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * RefreshRefusalService has already revoked the session. The user is flagged (a `user_flags` row) for an
   * admin's closer look: the reuse means a refresh token left the client it was issued to.
   */
  async refreshTokenReused(session: Session | undefined, client: ClientInfo): Promise<void> {
    if (!this.config.refreshReuse || !session) return;
    const flagId = randomUUID();
    const alert = await this.raise({
      rule: 'refresh_token_reuse',
      severity: 'high',
      userId: session.userId,
      sessionId: session.id,
      client,
      details: { sessionRevoked: true, flaggedUser: session.userId, userFlagId: flagId },
    });
    // Deduplicated: the user was flagged by this rule's alert within the window.
    if (!alert) return;
    const write = this.flags
      .insert({
        id: flagId,
        userId: session.userId,
        reason: 'refresh_token_reuse',
        alertId: alert.id,
        flaggedAt: this.clock.now(),
      })
      .then(
        () => undefined,
        (error: Error) => this.logger.error(`Could not flag user ${session.userId}: ${error.message}`),
      )
      .finally(() => this.pendingFlags.delete(write));
    this.pendingFlags.add(write);
  }

  /** The latest flag of each of these users, for the admin alert listing. */
  async flagsFor(userIds: string[]): Promise<Map<string, UserFlagSummary>> {
    await Promise.all(this.pendingFlags);
    const result = new Map<string, UserFlagSummary>();
    if (userIds.length === 0) return result;
    const rows = await this.flags.find({ where: { userId: In([...new Set(userIds)]) }, order: { flaggedAt: 'ASC' } });
    for (const row of rows) {
      result.set(row.userId, { reason: row.reason, flaggedAt: row.flaggedAt.toISOString(), alertId: row.alertId });
    }
    return result;
  }

  /** Removes every flag of the user (an admin cleared them); returns how many there were. */
  async clearFlags(userId: string): Promise<number> {
    await Promise.all(this.pendingFlags);
    const result = await this.flags.delete({ userId });
    return result.affected ?? 0;
  }

  /**
   * A stolen token replayed from elsewhere (a mismatched fingerprint, or a cookie-bound token without its
   * fingerprint cookie): once mismatches on one session come from enough distinct sources within the
   * window, the session ends, with one alert. Hits are not counted: one client retrying is one source.
   *
   * A source is a browser family + network (/24, /48), and ANOMALY_FINGERPRINT_MISMATCHES of them revoke.
   * A bearer mismatch with the session's last User-Agent (from its login or latest refresh) may be the
   * owner's own address change (wifi to cellular with requests in flight), or a thief who copied the
   * User-Agent too. So it counts only from a network other than the session's last one, by network alone,
   * and revokes at twice the threshold of distinct networks: an owner moving once, a few requests in
   * flight, stays below it; a replay from many networks does not. A session already revoked gets no alert.
   */
  async fingerprintMismatch(userId: string | undefined, sessionId: string | undefined, client: ClientInfo) {
    if (this.config.fingerprintMismatches === 0 || !sessionId) return;
    const session = await this.sessions.findById(sessionId);
    // The signature was valid, but check ownership anyway before ending anything.
    if (!session || session.userId !== userId) return;
    const now = this.clock.now();
    if (!this.sessions.isAlive(session, now)) return;
    const windowMs = this.config.fingerprintWindowSeconds * 1000;
    const network = ipPrefix(client.ip);
    const sameUserAgent = session.transport === 'bearer' && client.userAgent === session.lastUserAgent;
    let sources: number;
    let threshold = this.config.fingerprintMismatches;
    if (sameUserAgent) {
      // The same network as the session's last use (a new address from the same provider block) never counts.
      if (network === ipPrefix(session.lastIp)) return;
      threshold *= SAME_USER_AGENT_FACTOR;
      sources = await this.store.addToSet(`fgp-mismatch-same-ua:${sessionId}`, network, windowMs);
    } else {
      const source = `${userAgentFamily(client.userAgent)} ${network}`;
      sources = await this.store.addToSet(`fgp-mismatch:${sessionId}`, source, windowMs);
    }
    if (sources < threshold) return;
    const sessionLeftMs = Math.max(session.expiresAt.getTime() - now.getTime(), windowMs);
    if (!(await this.store.setIfAbsent(`fgp-mismatch-alerted:${sessionId}`, '1', sessionLeftMs))) return;
    await this.sessions.revokeSession(session, 'fingerprint_mismatch');
    this.audit.record({
      type: 'session_revoked',
      success: true,
      userId: session.userId,
      sessionId: session.id,
      client,
      reason: 'fingerprint_mismatch',
    });
    await this.raise({
      rule: 'fingerprint_mismatch',
      severity: 'high',
      userId: session.userId,
      sessionId: session.id,
      client,
      details: { sources, sameUserAgent, windowSeconds: this.config.fingerprintWindowSeconds, sessionRevoked: true },
    });
  }

  /**
   * Remembers the device (KnownDevicesService) and, when the rule is on, reports a login from a browser
   * family and network (/24, /48) this user has never logged in from. The very first login only sets the
   * baseline.
   */
  async loginSucceeded(userId: string, sessionId: string, client: ClientInfo): Promise<void> {
    const device = await this.knownDevices.remember(userId, client);
    if (!device || device.first || !this.config.newDevice) return;
    const details = { userAgentFamily: device.userAgentFamily, ipPrefix: device.ipPrefix };
    this.audit.record({ type: 'new_device_login', success: true, userId, sessionId, client, metadata: details });
    await this.raise({ rule: 'new_device_login', severity: 'low', userId, sessionId, client, details });
  }

  /**
   * One alert per user and rule within ANOMALY_ALERT_DEDUP_WINDOW: an account varying its User-Agent
   * must not flood the admins, the audit log and the webhook. The rule's own audit events are still
   * written; only the alert is left out (and logged at debug). Alerts with no user are never merged.
   */
  private async raise(alert: Alert): Promise<AlertPayload | null> {
    const windowMs = this.config.alertDedupWindowSeconds * 1000;
    if (windowMs > 0 && alert.userId) {
      const first = await this.store.setIfAbsent(`alert-dedup:${alert.rule}:${alert.userId}`, '1', windowMs);
      if (!first) {
        this.logger.debug(`alert ${alert.rule} for user ${alert.userId} deduplicated`);
        return null;
      }
    }
    return this.alerts.raise(alert);
  }

  /**
   * One session going back and forth between two distant networks within the window (A, B, A): a copied
   * cookie or token used alongside the owner. A single move (wifi to cellular) is not one. Called for every
   * authenticated request and refresh, so it only touches the AttemptStore and never blocks.
   */
  sessionUsed(userId: string, sessionId: string, client: ClientInfo): void {
    const windowSeconds = this.config.sessionSpreadWindowSeconds;
    if (windowSeconds === 0) return;
    void this.checkSpread(userId, sessionId, client, windowSeconds * 1000).catch((error: Error) =>
      this.logger.error(`Session spread check failed: ${error.message}`),
    );
  }

  /** LoginThrottleService blocked an address that failed logins on many accounts. */
  credentialStuffing(client: ClientInfo, details: { failures: number; accounts: number; blockSeconds: number }): void {
    this.alerts.raise({ rule: 'credential_stuffing', severity: 'high', client, details });
  }

  /** State: "<current network> <previous network> <when it left the previous, ms>". */
  private async checkSpread(userId: string, sessionId: string, client: ClientInfo, windowMs: number) {
    const network = ipPrefix(client.ip, SPREAD_V4_BITS, SPREAD_V6_BITS);
    const key = `session-network:${sessionId}`;
    const state = await this.store.get(key);
    // The common case, still on the same network: one read, nothing allocated.
    if (state?.startsWith(network) && state.charCodeAt(network.length) === SPACE) return;
    const now = this.clock.now().getTime();
    const [current, previous, leftAt] = state?.split(' ') ?? [];
    await this.store.set(key, `${network} ${current ?? '-'} ${now}`, windowMs);
    if (!current || previous !== network || now - Number(leftAt) > windowMs) return;
    // Back on a network it left within the window. One alert per session and window, even when requests race.
    if (!(await this.store.setIfAbsent(`session-spread-alerted:${sessionId}`, '1', windowMs))) return;
    await this.raise({
      rule: 'session_ip_spread',
      severity: 'medium',
      userId,
      sessionId,
      client,
      details: { networks: [network, current], windowSeconds: windowMs / 1000 },
    });
  }
}
