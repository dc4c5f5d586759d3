import { Injectable } from '@nestjs/common';
import { AnomalyService } from '../anomaly/anomaly.service';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedUser } from '../access/authenticated-user';
import type { ClientInfo } from '../common/client-info';
import { SessionsService } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import type { AlertPageDto } from './dto/alert-response.dto';
import type { ListAlertsDto } from './dto/list-alerts.dto';

@Injectable()
export class AdminService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly anomalies: AnomalyService,
  ) {}

  /**
   * The alert page: each alert with its rule, severity and user's email, and the flag it raised while that
   * flag stands. A user's flag belongs to the alert that raised it: a later new-device alert for the same
   * user must not look as if it had flagged anyone.
   */
  async listAlerts(filters: ListAlertsDto): Promise<AlertPageDto> {
    const { rule, ...rest } = filters;
    const page = await this.audit.list({ ...rest, type: 'alert_raised', reason: rule }, true);
    const userIds = page.items.flatMap((item) => (item.userId ? [item.userId] : []));
    const [flags, emails] = await Promise.all([this.anomalies.flagsFor(userIds), this.users.emailsOf(userIds)]);
    return {
      items: page.items.map((item) => {
        const metadata = (item.metadata ?? {}) as Record<string, unknown>;
        const flag = item.userId ? flags.get(item.userId) : undefined;
        return {
          ...item,
          rule: typeof metadata.rule === 'string' ? metadata.rule : (item.reason ?? ''),
          severity: typeof metadata.severity === 'string' ? metadata.severity : '',
          userEmail: (item.userId && emails.get(item.userId)) || null,
          userFlag: flag && flag.alertId === metadata.alertId ? flag : null,
        };
      }),
      nextCursor: page.nextCursor,
    };
  }

  /** Ends every session of the user and rejects every access token they hold (e.g. after a theft alert). */
  async revokeUserSessions(admin: AuthenticatedUser, userId: string, client: ClientInfo): Promise<void> {
    const user = await this.users.getById(userId);
    const ended = await this.sessions.revokeAllForUser(user.id, 'revoked_by_admin');
    // Hand-written, not @Audited: the event is about the user whose sessions ended, and how many did.
    this.audit.record({
      type: 'session_revoked',
      success: true,
      userId: user.id,
      client,
      reason: 'revoked_by_admin',
      metadata: { scope: 'all', adminId: admin.userId, adminSessionId: admin.sessionId, sessionsEnded: ended },
    });
  }

  /** An admin looked into a flagged user and found nothing to act on: the flags go, the audit log keeps who. */
  async clearUserFlags(admin: AuthenticatedUser, userId: string, client: ClientInfo): Promise<void> {
    const user = await this.users.getById(userId);
    const cleared = await this.anomalies.clearFlags(user.id);
    this.audit.record({
      type: 'user_flag_cleared',
      success: true,
      userId: user.id,
      client,
      metadata: { adminId: admin.userId, adminSessionId: admin.sessionId, flagsCleared: cleared },
    });
  }
}
