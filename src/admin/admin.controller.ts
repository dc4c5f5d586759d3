import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import type { UserFlagSummary } from '../anomaly/anomaly.service';
import { AuditService } from '../audit/audit.service';
import type { AuditEventResponseDto } from '../audit/dto/audit-event-response.dto';
import type { AuditPage } from '../audit/dto/audit-event-response.dto';
import { ListAlertsDto, ListAuditEventsDto } from '../audit/dto/list-audit-events.dto';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { clientInfo } from '../common/client-info';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { Roles } from '../common/decorators/roles.decorator';
import { AccountControlService, Actor } from './account-control.service';
import { AdminService } from './admin.service';

// Anything that is not a user id names no user: 404, as for an unknown id.
const userIdPipe = () => new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException('User not found') });

const actor = (admin: AuthenticatedUser, request: Request): Actor => ({
  via: 'api',
  adminId: admin.userId,
  adminSessionId: admin.sessionId,
  client: clientInfo(request),
});

@Controller('admin')
@Roles('admin')
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
   * Alerts are audit events of type alert_raised; their metadata says what the rule saw, and `userFlag`
   * whether a rule flagged the user (e.g. refresh-token reuse).
   */
  @Get('alerts')
  listAlerts(
    @Query() filters: ListAlertsDto,
  ): Promise<{ items: (AuditEventResponseDto & { userFlag: UserFlagSummary | null })[]; nextCursor: string | null }> {
    return this.admin.listAlerts(filters);
  }

  @Post('users/:id/revoke-sessions')
  @HttpCode(HttpStatus.NO_CONTENT)
  revokeSessions(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id', userIdPipe()) id: string,
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
    @Param('id', userIdPipe()) id: string,
    @Req() request: Request,
  ): Promise<{ sessionsEnded: number }> {
    return { sessionsEnded: await this.accounts.disable(id, actor(admin, request)) };
  }

  @Post('users/:id/enable')
  @HttpCode(HttpStatus.NO_CONTENT)
  enable(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id', userIdPipe()) id: string,
    @Req() request: Request,
  ): Promise<void> {
    return this.accounts.enable(id, actor(admin, request));
  }
}
