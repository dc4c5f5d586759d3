import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { clientInfo } from '../common/client-info';
import { CurrentUser } from '../access/current-user.decorator';
import { ChangeEmailDto } from './dto/change-email.dto';
import { EMAIL_CHANGE_REQUESTED, EmailChangeService } from './email-change.service';

@Controller('users/me/email')
export class EmailChangeController {
  constructor(private readonly emailChange: EmailChangeService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  request(
    @CurrentUser() principal: AuthenticatedUser,
    @Body() dto: ChangeEmailDto,
    @Req() request: Request,
  ): Promise<typeof EMAIL_CHANGE_REQUESTED> {
    return this.emailChange.request(
      principal.userId,
      principal.sessionId,
      dto.currentPassword,
      dto.newEmail,
      clientInfo(request),
    );
  }
}
