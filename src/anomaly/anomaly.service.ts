import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AlertService } from '../alerts/alert.service';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { anomalyConfig } from '../config/configuration';
import type { Session } from '../sessions/entities/session.entity';
import { SessionsService } from '../sessions/sessions.service';
import { AttemptStore } from '../throttle/attempt-store';
import { ipPrefix, userAgentFamily } from './device';
import { KnownDevice } from './entities/known-device.entity';

/** Two uses of one session from different /16 (IPv4) or /32 (IPv6) networks look like two parties. */
const SPREAD_V4_BITS = 16;
const SPREAD_V6_BITS = 32;

/**
 * Theft signals. Each rule is called by the service or guard where its event happens, and each one that
 * fires raises an alert (an `alert_raised` audit event, a log line, the webhook). Counters live in the
 * AttemptStore, so only the rare paths (a rejection, a login) touch the database.
 */
@Injectable()
export class AnomalyService {
  private readonly logger = new Logger(AnomalyService.name);

  constructor(
    @Inject(anomalyConfig.KEY) private readonly config: ConfigType<typeof anomalyConfig>,
    @InjectRepository(KnownDevice) private readonly devices: Repository<KnownDevice>,
    private readonly store: AttemptStore,
    private readonly sessions: SessionsService,
    private readonly alerts: AlertService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** SessionsService has already revoked the session; the user is flagged for a closer look. */
  refreshTokenReused(session: Session | undefined, client: ClientInfo): void {
    if (!this.config.refreshReuse || !session) return;
    this.alerts.raise({
      rule: 'refresh_token_reuse',
      severity: 'high',
      userId: session.userId,
      sessionId: session.id,
      client,
      details: { sessionRevoked: true, flaggedUser: session.userId },
    });
  }

  /**
   * One mismatch is a network change or a bug; several within the window on one session means someone
   * replays a stolen token: that session ends.
   */
  async fingerprintMismatch(userId: string | undefined, sessionId: string | undefined, client: ClientInfo) {
    const threshold = this.config.fingerprintMismatches;
    if (threshold === 0 || !sessionId) return;
    const now = this.clock.now();
    const key = `fgp-mismatch:${sessionId}`;
    const count = await this.store.hit(key, now, this.config.fingerprintWindowSeconds * 1000);
    if (count < threshold) return;
    await this.store.delete(key);
    const session = await this.sessions.findById(sessionId);
    // The signature was valid, but check ownership anyway before ending anything.
    if (!session || session.userId !== userId) return;
    const wasAlive = this.sessions.isAlive(session, now);
    if (wasAlive) {
      await this.sessions.revokeSession(session, 'fingerprint_mismatch');
      this.audit.record({
        type: 'session_revoked',
        success: true,
        userId: session.userId,
        sessionId: session.id,
        client,
        reason: 'fingerprint_mismatch',
      });
    }
    this.alerts.raise({
      rule: 'fingerprint_mismatch',
      severity: 'high',
      userId: session.userId,
      sessionId: session.id,
      client,
      details: { mismatches: count, windowSeconds: this.config.fingerprintWindowSeconds, sessionRevoked: wasAlive },
    });
  }

  /**
   * A login from a browser family and network (/24, /48) this user has never logged in from. The very
   * first login only sets the baseline.
   */
  async loginSucceeded(userId: string, sessionId: string, client: ClientInfo): Promise<void> {
    if (!this.config.newDevice) return;
    const now = this.clock.now();
    const device = { userId, userAgentFamily: userAgentFamily(client.userAgent), ipPrefix: ipPrefix(client.ip) };
    const known = await this.devices.findOneBy(device);
    if (known) {
      await this.devices.update({ id: known.id }, { lastSeenAt: now });
      return;
    }
    const firstDevice = !(await this.devices.existsBy({ userId }));
    try {
      await this.devices.insert({ id: randomUUID(), ...device, firstSeenAt: now, lastSeenAt: now });
    } catch {
      return; // A concurrent login from the same device inserted it first: not new.
    }
    if (firstDevice) return;
    const details = { userAgentFamily: device.userAgentFamily, ipPrefix: device.ipPrefix };
    this.audit.record({ type: 'new_device_login', success: true, userId, sessionId, client, metadata: details });
    this.alerts.raise({ rule: 'new_device_login', severity: 'low', userId, sessionId, client, details });
  }

  /**
   * One session used from two distant networks within the window: a copied cookie or token. Called for
   * every authenticated request and refresh, so it only touches the AttemptStore and never blocks.
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

  private async checkSpread(userId: string, sessionId: string, client: ClientInfo, windowMs: number) {
    const now = this.clock.now();
    const network = ipPrefix(client.ip, SPREAD_V4_BITS, SPREAD_V6_BITS);
    const networks = await this.store.addToSet(`session-networks:${sessionId}`, network, now, windowMs);
    if (networks.length < 2) return;
    // One alert per session and window, not one per request.
    const flag = `session-spread-alerted:${sessionId}`;
    if (await this.store.get(flag, now)) return;
    await this.store.set(flag, '1', new Date(now.getTime() + windowMs));
    this.alerts.raise({
      rule: 'session_ip_spread',
      severity: 'medium',
      userId,
      sessionId,
      client,
      details: { networks, windowSeconds: windowMs / 1000 },
    });
  }
}
