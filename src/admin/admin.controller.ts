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
import { RequiresRecentAuth } from '../common/decorators/requires-recent-auth.decorator';
import { Roles } from '../common/decorators/roles.decorator';
import { AdminService } from './admin.service';

@Controller('admin')
@Roles('admin')
// Every admin action, reads included: an admin's stolen session must not browse the audit log either.
@RequiresRecentAuth()
export class AdminController {
  constructor(
    private readonly audit: AuditService,
    private readonly admin: AdminService,
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
    // Anything that is not a user id names no user: 404, as for an unknown id.
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException('User not found') })) id: string,
    @Req() request: Request,
  ): Promise<void> {
    return this.admin.revokeUserSessions(admin, id, clientInfo(request));
  }
}
