import { Body, Controller, HttpCode, HttpStatus, Inject, Post, Req, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { Request, Response } from 'express';
import { clientInfo } from '../common/client-info';
import { CurrentUser } from '../access/current-user.decorator';
import { Public } from '../access/public.decorator';
import { sessionConfig } from '../sessions/sessions.config';
import { CHALLENGE_TTL_SECONDS } from '../mfa/challenge.service';
import { FingerprintService } from '../tokens/fingerprint.service';
import { FINGERPRINT_COOKIE, readCookie, REFRESH_COOKIE } from '../access/token-source';
import { setAccessCookie, setFingerprintCookie } from './auth-cookies';
import { DpopGrantService } from './dpop-grant.service';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { ChallengeDto, PasskeyLoginDto, PasskeyOptionsDto, SecondFactorDto, StepUpDto } from './dto/second-factor.dto';
import { BearerSessionResponseDto, CookieSessionResponseDto } from './dto/session-response.dto';
import { sendGrant } from './grant-response';
import { Presenter, SecondFactorLoginService } from './second-factor-login.service';
import { StepUpService } from './step-up.service';

/** The second step of a login, passkey sign-in, and step-up. */
@Controller('auth')
export class SecondFactorController {
  constructor(
    private readonly logins: SecondFactorLoginService,
    private readonly stepUps: StepUpService,
    private readonly fingerprints: FingerprintService,
    private readonly dpop: DpopGrantService,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
  ) {}

  @Public()
  @Post('login/second-factor')
  @HttpCode(HttpStatus.OK)
  async secondFactor(
    @Body() dto: SecondFactorDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CookieSessionResponseDto | BearerSessionResponseDto> {
    const grant = await this.logins.complete(dto.challenge, dto, await this.loginPresenter(request, response));
    return sendGrant(grant, response, this.config);
  }

  @Public()
  @Post('login/second-factor/passkey-options')
  @HttpCode(HttpStatus.OK)
  secondFactorPasskeyOptions(
    @Body() dto: ChallengeDto,
    @Req() request: Request,
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return this.logins.passkeyOptions(dto.challenge, presenter(request));
  }

  /** A browser gets a new fingerprint cookie here: the challenge, then the session, are bound to it. */
  @Public()
  @Post('passkey/options')
  @HttpCode(HttpStatus.OK)
  async passkeyOptions(
    @Body() dto: PasskeyOptionsDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ challenge: string; expiresAt: string; options: PublicKeyCredentialRequestOptionsJSON }> {
    const transport = dto.transport ?? 'cookie';
    const fingerprintCookie = transport === 'cookie' ? this.fingerprints.newCookieValue() : undefined;
    const begun = await this.logins.beginPasskeyLogin(transport, { client: clientInfo(request), fingerprintCookie });
    if (fingerprintCookie) {
      setFingerprintCookie(response, fingerprintCookie, CHALLENGE_TTL_SECONDS, this.config.cookieSecure);
    }
    return { challenge: begun.challenge, expiresAt: begun.expiresAt.toISOString(), options: begun.options };
  }

  @Public()
  @Post('passkey/login')
  @HttpCode(HttpStatus.OK)
  async passkeyLogin(
    @Body() dto: PasskeyLoginDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CookieSessionResponseDto | BearerSessionResponseDto> {
    const grant = await this.logins.completePasskeyLogin(
      dto.challenge,
      dto.passkey,
      await this.loginPresenter(request, response),
    );
    return sendGrant(grant, response, this.config);
  }

  @Post('step-up/passkey-options')
  @HttpCode(HttpStatus.OK)
  stepUpPasskeyOptions(
    @CurrentUser() principal: AuthenticatedUser,
  ): Promise<{ challenge: string; options: PublicKeyCredentialRequestOptionsJSON }> {
    return this.stepUps.passkeyOptions(principal);
  }

  /** Answers 401 insufficient_user_authentication: browsers get a new access cookie, bearer clients a token. */
  @Post('step-up')
  @HttpCode(HttpStatus.OK)
  async stepUp(
    @CurrentUser() principal: AuthenticatedUser,
    @Body() dto: StepUpDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<
    | { accessTokenExpiresAt: string; authTime: string }
    | { accessToken: string; tokenType: 'Bearer'; expiresIn: number; authTime: string }
  > {
    const fingerprintCookie = readCookie(request, FINGERPRINT_COOKIE);
    const { accessToken, authTime } = await this.stepUps.stepUp(principal, dto, clientInfo(request), fingerprintCookie);
    if (principal.transport === 'bearer') {
      return {
        accessToken: accessToken.token,
        tokenType: 'Bearer',
        expiresIn: accessToken.expiresIn,
        authTime: authTime.toISOString(),
      };
    }
    setAccessCookie(response, accessToken.token, accessToken.expiresIn, this.config.cookieSecure);
    return { accessTokenExpiresAt: accessToken.expiresAt.toISOString(), authTime: authTime.toISOString() };
  }

  /** A request that completes a login: like the password step, it ends the browser's old session and may bind DPoP. */
  private async loginPresenter(request: Request, response: Response): Promise<Presenter> {
    return {
      ...presenter(request),
      replacedRefreshToken: readCookie(request, REFRESH_COOKIE),
      dpopJkt: await this.dpop.proofKey(request, response),
    };
  }
}

function presenter(request: Request): Presenter {
  return { client: clientInfo(request), fingerprintCookie: readCookie(request, FINGERPRINT_COOKIE) };
}
