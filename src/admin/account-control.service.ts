import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { SessionsService } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';

/** Who acted: an admin through the API, or an operator through the CLI. */
export type Actor = { via: 'api'; adminId: string; adminSessionId: string; client: ClientInfo } | { via: 'cli' };

/**
 * Account-wide and system-wide cut-offs (ASVS 5.0 7.4.5, 7.4.2), shared by the admin API and the CLI so
 * both end the same sessions and write the same audit events.
 */
@Injectable()
export class AccountControlService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Ends every session of every user, this admin's included: after a key or database compromise. */
  async endEverySession(actor: Actor): Promise<number> {
    const ended = await this.sessions.revokeEveryone('global_cutoff');
    this.audit.record({
      type: 'session_revoked',
      success: true,
      ...this.who(actor),
      reason: 'global_cutoff',
      metadata: { scope: 'global', sessionsEnded: ended, ...this.by(actor) },
    });
    return ended;
  }

  /** Refuses the account's logins from now on and ends its sessions; idempotent. */
  async disable(userId: string, actor: Actor): Promise<number> {
    const user = await this.users.getById(userId);
    if (!user.disabledAt) await this.users.setDisabledAt(user.id, this.clock.now());
    // Also when already disabled: a session that raced the first disable ends now.
    const ended = await this.sessions.revokeAllForUser(user.id, 'account_disabled');
    this.audit.record({
      type: 'account_disabled',
      success: true,
      userId: user.id,
      ...this.who(actor),
      metadata: { sessionsEnded: ended, ...this.by(actor) },
    });
    return ended;
  }

  async enable(userId: string, actor: Actor): Promise<void> {
    const user = await this.users.getById(userId);
    await this.users.setDisabledAt(user.id, null);
    this.audit.record({
      type: 'account_enabled',
      success: true,
      userId: user.id,
      ...this.who(actor),
      metadata: this.by(actor),
    });
  }

  private who(actor: Actor): { client?: ClientInfo } {
    return actor.via === 'api' ? { client: actor.client } : {};
  }

  private by(actor: Actor): Record<string, string> {
    return actor.via === 'api'
      ? { via: 'api', adminId: actor.adminId, adminSessionId: actor.adminSessionId }
      : { via: 'cli' };
  }
}
