import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { clientInfo } from '../common/client-info';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { RequiresRecentAuth } from '../common/decorators/requires-recent-auth.decorator';
import { ChangePasswordDto } from '../users/dto/change-password.dto';
import { AuthService } from './auth.service';
import type { AuthenticatedUser } from './authenticated-user';

/** Lives with auth, not users: changing a password is a credential operation that ends sessions. */
@Controller('users/me/password')
export class PasswordController {
  constructor(private readonly auth: AuthService) {}

  @RequiresRecentAuth()
  @Post()
  @HttpCode(HttpStatus.NO_CONTENT)
  changePassword(
    @CurrentUser() principal: AuthenticatedUser,
    @Body() dto: ChangePasswordDto,
    @Req() request: Request,
  ): Promise<void> {
    return this.auth.changePassword(principal, dto.currentPassword, dto.newPassword, clientInfo(request));
  }
}
