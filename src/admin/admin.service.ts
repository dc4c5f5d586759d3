import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
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
  ) {}

  /** Ends every session of the user and rejects every access token they hold (e.g. after a theft alert). */
  async revokeUserSessions(admin: AuthenticatedUser, userId: string, client: ClientInfo): Promise<void> {
    const user = await this.users.getById(userId);
    const ended = await this.sessions.revokeAllForUser(user.id, 'revoked_by_admin');
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
