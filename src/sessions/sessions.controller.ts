import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { clientInfo } from '../common/client-info';
import { CurrentUser } from '../access/current-user.decorator';
import { RequiresRecentAuth } from '../access/requires-recent-auth.decorator';
import { idParam } from '../common/pipes/id-param';
import { SessionResponseDto } from './dto/session-response.dto';
import { SessionsService } from './sessions.service';

/** Not a UUID, so not a session of anyone: the same 404 as another user's session id. */
const SESSION_ID = idParam('Session');

@Controller('auth/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  async list(@CurrentUser() principal: AuthenticatedUser): Promise<SessionResponseDto[]> {
    const sessions = await this.sessions.listActive(principal.userId);
    return sessions.map((session) => SessionResponseDto.from(session, principal.sessionId));
  }

  @RequiresRecentAuth()
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async revoke(
    @CurrentUser() principal: AuthenticatedUser,
    @Param('id', SESSION_ID) id: string,
    @Req() request: Request,
  ): Promise<void> {
    await this.sessions.revokeOwn(principal.userId, id, principal.sessionId, clientInfo(request));
  }
}
