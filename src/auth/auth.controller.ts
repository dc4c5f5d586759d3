import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Request, Response } from 'express';
import { Audited } from '../audit/audited.decorator';
import { clientInfo } from '../common/client-info';
import { CurrentUser } from '../access/current-user.decorator';
import { RequiresRecentAuth } from '../access/requires-recent-auth.decorator';
import { Public } from '../access/public.decorator';
import { sessionConfig } from '../sessions/sessions.config';
import { CSRF_HEADER } from '../csrf/csrf.service';
import { FINGERPRINT_COOKIE, readCookie, REFRESH_COOKIE } from '../access/token-source';
import { clearSessionCookies, setFingerprintCookie } from './auth-cookies';
import { CHALLENGE_TTL_SECONDS } from '../mfa/challenge.service';
import { AuthService } from './auth.service';
import { DpopGrantService } from './dpop-grant.service';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { LoginDto } from './dto/login.dto';
import { LogoutDto, RefreshDto } from './dto/refresh.dto';
import {
  BearerSessionResponseDto,
  CookieSessionResponseDto,
  SecondFactorRequiredDto,
} from './dto/session-response.dto';
import { sendGrant } from './grant-response';
import { RefreshService } from './refresh.service';
import type { SessionGrant } from './session-grant.service';

@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly refreshes: RefreshService,
    private readonly dpop: DpopGrantService,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  async login(
    @Body() dto: LoginDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CookieSessionResponseDto | BearerSessionResponseDto | SecondFactorRequiredDto> {
    const transport = dto.transport ?? 'cookie';
    const dpopJkt = await this.dpop.loginKey(request, response, transport);
    const outcome = await this.auth.login(
      dto.email,
      dto.password,
      transport,
      clientInfo(request),
      readCookie(request, REFRESH_COOKIE),
      dpopJkt,
    );
    if ('session' in outcome) return this.respond(outcome.session, response);
    const { secondFactor } = outcome;
    if (secondFactor.fingerprintCookie) {
      setFingerprintCookie(response, secondFactor.fingerprintCookie, CHALLENGE_TTL_SECONDS, this.config.cookieSecure);
    }
    return {
      secondFactorRequired: true,
      challenge: secondFactor.challenge,
      methods: secondFactor.methods,
      expiresAt: secondFactor.expiresAt.toISOString(),
    };
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  async refresh(
    @Body() dto: RefreshDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CookieSessionResponseDto | BearerSessionResponseDto> {
    if (dto.transport === 'bearer') {
      const dpop = await this.dpop.refreshProof(request, response);
      const grant = await this.refreshes.refresh(
        { transport: 'bearer', refreshToken: dto.refreshToken ?? '', dpop },
        clientInfo(request),
      );
      return this.respond(grant, response);
    }
    try {
      const grant = await this.refreshes.refresh(
        {
          transport: 'cookie',
          refreshToken: readCookie(request, REFRESH_COOKIE),
          fingerprintCookie: readCookie(request, FINGERPRINT_COOKIE),
          csrfToken: request.get(CSRF_HEADER),
        },
        clientInfo(request),
      );
      return this.respond(grant, response);
    } catch (error) {
      // A dead session's HttpOnly cookies cannot be removed by the page; the refusal removes them.
      if (error instanceof UnauthorizedException) clearSessionCookies(response, this.config.cookieSecure);
      throw error;
    }
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited('logout')
  async logout(
    @CurrentUser() principal: AuthenticatedUser,
    @Body() dto: LogoutDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    await this.auth.logout(principal, dto.refreshToken);
    clearSessionCookies(response, this.config.cookieSecure);
  }

  @RequiresRecentAuth()
  @Post('logout-all')
  @HttpCode(HttpStatus.NO_CONTENT)
  async logoutAll(
    @CurrentUser() principal: AuthenticatedUser,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    await this.auth.logoutAll(principal, clientInfo(request));
    clearSessionCookies(response, this.config.cookieSecure);
  }

  /**
   * Public because the access token may have expired; the refresh cookie identifies the session, and the
   * fingerprint cookie proves this is the browser it belongs to.
   */
  @Public()
  @Get('csrf')
  async csrf(@Req() request: Request): Promise<{ csrfToken: string }> {
    const cookies = {
      refreshToken: readCookie(request, REFRESH_COOKIE),
      fingerprintCookie: readCookie(request, FINGERPRINT_COOKIE),
    };
    return { csrfToken: await this.refreshes.csrfTokenFor(cookies, clientInfo(request)) };
  }

  private respond(grant: SessionGrant, response: Response): CookieSessionResponseDto | BearerSessionResponseDto {
    return sendGrant(grant, response, this.config);
  }
}
