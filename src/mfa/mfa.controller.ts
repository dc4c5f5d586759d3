import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Req } from '@nestjs/common';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { Request } from 'express';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { clientInfo } from '../common/client-info';
import { CurrentUser } from '../access/current-user.decorator';
import { RequiresRecentAuth } from '../access/requires-recent-auth.decorator';
import { ConfirmTotpDto, MfaStatusDto, PasskeyNameDto, PasskeyResponseDto, RegisterPasskeyDto } from './dto/mfa.dto';
import { MfaService } from './mfa.service';
import type { TotpEnrolment } from './totp.service';

/** The caller's own second factors. Reading is free; every change needs a recent authentication. */
@Controller('auth/mfa')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  @Get()
  status(@CurrentUser() principal: AuthenticatedUser): Promise<MfaStatusDto> {
    return this.mfa.status(principal.userId);
  }

  @RequiresRecentAuth()
  @Post('totp')
  beginTotp(@CurrentUser() principal: AuthenticatedUser, @Req() request: Request): Promise<TotpEnrolment> {
    return this.mfa.beginTotp(principal, clientInfo(request));
  }

  /** The first code confirms the app; the answer holds the recovery codes, shown this once. */
  @RequiresRecentAuth()
  @Post('totp/confirm')
  @HttpCode(HttpStatus.OK)
  confirmTotp(
    @CurrentUser() principal: AuthenticatedUser,
    @Body() dto: ConfirmTotpDto,
    @Req() request: Request,
  ): Promise<{ recoveryCodes: string[] }> {
    return this.mfa.confirmTotp(principal, dto.code, clientInfo(request));
  }

  @RequiresRecentAuth()
  @Delete('totp')
  @HttpCode(HttpStatus.NO_CONTENT)
  removeTotp(@CurrentUser() principal: AuthenticatedUser, @Req() request: Request): Promise<void> {
    return this.mfa.removeTotp(principal, clientInfo(request));
  }

  @RequiresRecentAuth()
  @Post('recovery-codes')
  @HttpCode(HttpStatus.OK)
  regenerateRecoveryCodes(
    @CurrentUser() principal: AuthenticatedUser,
    @Req() request: Request,
  ): Promise<{ recoveryCodes: string[] }> {
    return this.mfa.regenerateRecoveryCodes(principal, clientInfo(request));
  }

  @RequiresRecentAuth()
  @Post('passkeys/options')
  @HttpCode(HttpStatus.OK)
  passkeyOptions(
    @CurrentUser() principal: AuthenticatedUser,
  ): Promise<{ challenge: string; options: PublicKeyCredentialCreationOptionsJSON }> {
    return this.mfa.passkeyRegistrationOptions(principal);
  }

  @RequiresRecentAuth()
  @Post('passkeys')
  registerPasskey(
    @CurrentUser() principal: AuthenticatedUser,
    @Body() dto: RegisterPasskeyDto,
    @Req() request: Request,
  ): Promise<PasskeyResponseDto & { recoveryCodes?: string[] }> {
    return this.mfa.registerPasskey(principal, dto, clientInfo(request));
  }

  @Get('passkeys')
  async passkeys(@CurrentUser() principal: AuthenticatedUser): Promise<PasskeyResponseDto[]> {
    return (await this.mfa.status(principal.userId)).passkeys;
  }

  @RequiresRecentAuth()
  @Patch('passkeys/:id')
  renamePasskey(
    @CurrentUser() principal: AuthenticatedUser,
    @Param('id') id: string,
    @Body() dto: PasskeyNameDto,
    @Req() request: Request,
  ): Promise<PasskeyResponseDto> {
    return this.mfa.renamePasskey(principal, id, dto.name, clientInfo(request));
  }

  @RequiresRecentAuth()
  @Delete('passkeys/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  removePasskey(
    @CurrentUser() principal: AuthenticatedUser,
    @Param('id') id: string,
    @Req() request: Request,
  ): Promise<void> {
    return this.mfa.removePasskey(principal, id, clientInfo(request));
  }
}
