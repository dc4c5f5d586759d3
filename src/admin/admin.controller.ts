import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service';
import type { AuditPage } from '../audit/dto/audit-event-response.dto';
import { ListAuditEventsDto } from '../audit/dto/list-audit-events.dto';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { clientInfo } from '../common/client-info';
import { CurrentUser } from '../access/current-user.decorator';
import { RequiresRecentAuth } from '../access/requires-recent-auth.decorator';
import { Roles } from '../access/roles.decorator';
import { idParam } from '../common/pipes/id-param';
import { AccountControlService, Actor } from './account-control.service';
import { AdminService } from './admin.service';
import type { AlertPageDto } from './dto/alert-response.dto';
import { ListAlertsDto } from './dto/list-alerts.dto';

/** Anything that is not a user id names no user: 404, as for an unknown id. */
const USER_ID = idParam('User');

const actor = (admin: AuthenticatedUser, request: Request): Actor => ({
  via: 'api',
  adminId: admin.userId,
  adminSessionId: admin.sessionId,
  client: clientInfo(request),
});

@Controller('admin')
@Roles('admin')
// Every admin action, reads included: an admin's stolen session must not browse the audit log either.
@RequiresRecentAuth()
export class AdminController {
  constructor(
    private readonly audit: AuditService,
    private readonly admin: AdminService,
    private readonly accounts: AccountControlService,
  ) {}

  @Get('audit')
  listAudit(@Query() filters: ListAuditEventsDto): Promise<AuditPage> {
    return this.audit.list(filters);
  }

  /**
   * Alerts are audit events of type alert_raised, with the rule, severity and user's email lifted out of
   * their metadata, and `userFlag` when this alert flagged the user (e.g. refresh-token reuse).
   */
  @Get('alerts')
  listAlerts(@Query() filters: ListAlertsDto): Promise<AlertPageDto> {
    return this.admin.listAlerts(filters);
  }

  @Post('users/:id/revoke-sessions')
  @HttpCode(HttpStatus.NO_CONTENT)
  revokeSessions(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id', USER_ID) id: string,
    @Req() request: Request,
  ): Promise<void> {
    return this.admin.revokeUserSessions(admin, id, clientInfo(request));
  }

  /** The global cut-off: every session of every user ends, the caller's included. */
  @Post('sessions/revoke-all')
  async revokeEverySession(
    @CurrentUser() admin: AuthenticatedUser,
    @Req() request: Request,
  ): Promise<{ sessionsEnded: number }> {
    return { sessionsEnded: await this.accounts.endEverySession(actor(admin, request)) };
  }

  @Post('users/:id/disable')
  async disable(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id', USER_ID) id: string,
    @Req() request: Request,
  ): Promise<{ sessionsEnded: number }> {
    return { sessionsEnded: await this.accounts.disable(id, actor(admin, request)) };
  }

  @Post('users/:id/enable')
  @HttpCode(HttpStatus.NO_CONTENT)
  enable(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id', USER_ID) id: string,
    @Req() request: Request,
  ): Promise<void> {
    return this.accounts.enable(id, actor(admin, request));
  }

  /** Clears the user's flags (an admin looked and found nothing to act on); 204 even when there were none. */
  @Delete('users/:id/flags')
  @HttpCode(HttpStatus.NO_CONTENT)
  clearFlags(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id', USER_ID) id: string,
    @Req() request: Request,
  ): Promise<void> {
    return this.admin.clearUserFlags(admin, id, clientInfo(request));
  }
}
