import { Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service';
import type { AuditPage } from '../audit/dto/audit-event-response.dto';
import { ListAlertsDto, ListAuditEventsDto } from '../audit/dto/list-audit-events.dto';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { clientInfo } from '../common/client-info';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { Roles } from '../common/decorators/roles.decorator';
import { AdminService } from './admin.service';

@Controller('admin')
@Roles('admin')
export class AdminController {
  constructor(
    private readonly audit: AuditService,
    private readonly admin: AdminService,
  ) {}

  @Get('audit')
  listAudit(@Query() filters: ListAuditEventsDto): Promise<AuditPage> {
    return this.audit.list(filters);
  }

  /** Alerts are audit events of type alert_raised; their metadata says what the rule saw. */
  @Get('alerts')
  listAlerts(@Query() filters: ListAlertsDto): Promise<AuditPage> {
    return this.audit.list({ ...filters, type: 'alert_raised' }, true);
  }

  @Post('users/:id/revoke-sessions')
  @HttpCode(HttpStatus.NO_CONTENT)
  revokeSessions(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Req() request: Request,
  ): Promise<void> {
    return this.admin.revokeUserSessions(admin, id, clientInfo(request));
  }
}
