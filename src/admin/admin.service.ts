import { Injectable } from '@nestjs/common';
import { AnomalyService, UserFlagSummary } from '../anomaly/anomaly.service';
import { AuditService } from '../audit/audit.service';
import type { AuditEventResponseDto } from '../audit/dto/audit-event-response.dto';
import type { ListAlertsDto } from '../audit/dto/list-audit-events.dto';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import type { ClientInfo } from '../common/client-info';
import { SessionsService } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';

@Injectable()
export class AdminService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly anomalies: AnomalyService,
  ) {}

  /** The alert page, each item with its user's flag (null when the user is not flagged). */
  async listAlerts(
    filters: ListAlertsDto,
  ): Promise<{ items: (AuditEventResponseDto & { userFlag: UserFlagSummary | null })[]; nextCursor: string | null }> {
    const page = await this.audit.list({ ...filters, type: 'alert_raised' }, true);
    const flags = await this.anomalies.flagsFor(page.items.flatMap((item) => (item.userId ? [item.userId] : [])));
    return {
      items: page.items.map((item) => ({ ...item, userFlag: (item.userId && flags.get(item.userId)) || null })),
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
}
