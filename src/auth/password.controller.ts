import { Body, Controller, HttpCode, HttpStatus, Inject, Post, Req, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Request, Response } from 'express';
import { clientInfo } from '../common/client-info';
import { CurrentUser } from '../access/current-user.decorator';
import { RequiresRecentAuth } from '../access/requires-recent-auth.decorator';
import { sessionConfig } from '../sessions/sessions.config';
import { ChangePasswordDto } from '../users/dto/change-password.dto';
import { FINGERPRINT_COOKIE, readCookie } from '../access/token-source';
import { PasswordChangeService } from './password-change.service';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { BearerSessionResponseDto, CookieSessionResponseDto } from './dto/session-response.dto';
import { sendGrant } from './grant-response';

/** Lives with auth, not users: changing a password is a credential operation that ends sessions. */
@Controller('users/me/password')
export class PasswordController {
  constructor(
    private readonly passwordChanges: PasswordChangeService,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
  ) {}

  /** Answers like a refresh: the caller's session continues with new tokens (ASVS 5.0 7.2.4). */
  @RequiresRecentAuth()
  @Post()
  @HttpCode(HttpStatus.OK)
  async changePassword(
    @CurrentUser() principal: AuthenticatedUser,
    @Body() dto: ChangePasswordDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CookieSessionResponseDto | BearerSessionResponseDto> {
    const grant = await this.passwordChanges.change(
      principal,
      dto.currentPassword,
      dto.newPassword,
      clientInfo(request),
      readCookie(request, FINGERPRINT_COOKIE),
    );
    return sendGrant(grant, response, this.config);
  }
}
