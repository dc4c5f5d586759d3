import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { RegisterDto } from '../auth/dto/register.dto';
import { clientInfo } from '../common/client-info';
import { Public } from '../access/public.decorator';
import { AccountTokenDto } from './dto/account-token.dto';
import { ConfirmPasswordResetDto } from './dto/confirm-password-reset.dto';
import { RequestPasswordResetDto } from './dto/request-password-reset.dto';
import { EmailChangeLinksService } from './email-change-links.service';
import { PasswordResetService, RESET_REQUESTED } from './password-reset.service';
import { EmailVerificationService } from './email-verification.service';
import { REGISTRATION_ACCEPTED, RegistrationService } from './registration.service';

/**
 * The public account routes. Requests that send mail answer 202 with one fixed body whatever the address;
 * the routes that take a mailed token take it in the body.
 */
@Controller('auth')
export class AccountsController {
  constructor(
    private readonly registration: RegistrationService,
    private readonly verification: EmailVerificationService,
    private readonly passwordReset: PasswordResetService,
    private readonly emailChange: EmailChangeLinksService,
  ) {}

  @Public()
  @Post('register')
  @HttpCode(HttpStatus.ACCEPTED)
  register(@Body() dto: RegisterDto, @Req() request: Request): Promise<typeof REGISTRATION_ACCEPTED> {
    return this.registration.register(dto.email, dto.password, clientInfo(request));
  }

  @Public()
  @Post('verify-email')
  @HttpCode(HttpStatus.OK)
  verifyEmail(@Body() dto: AccountTokenDto, @Req() request: Request): Promise<{ email: string }> {
    return this.verification.verifyEmail(dto.token, clientInfo(request));
  }

  @Public()
  @Post('password-reset')
  @HttpCode(HttpStatus.ACCEPTED)
  requestPasswordReset(@Body() dto: RequestPasswordResetDto, @Req() request: Request): Promise<typeof RESET_REQUESTED> {
    return this.passwordReset.request(dto.email, clientInfo(request));
  }

  @Public()
  @Post('password-reset/confirm')
  @HttpCode(HttpStatus.NO_CONTENT)
  confirmPasswordReset(@Body() dto: ConfirmPasswordResetDto, @Req() request: Request): Promise<void> {
    return this.passwordReset.confirm(dto.token, dto.newPassword, clientInfo(request));
  }

  @Public()
  @Post('email-change/confirm')
  @HttpCode(HttpStatus.OK)
  confirmEmailChange(@Body() dto: AccountTokenDto, @Req() request: Request): Promise<{ email: string }> {
    return this.emailChange.confirm(dto.token, clientInfo(request));
  }

  @Public()
  @Post('email-change/undo')
  @HttpCode(HttpStatus.OK)
  undoEmailChange(@Body() dto: AccountTokenDto, @Req() request: Request): Promise<{ email: string }> {
    return this.emailChange.undo(dto.token, clientInfo(request));
  }
}
