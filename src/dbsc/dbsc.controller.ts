import {
  BadRequestException,
  Controller,
  ForbiddenException,
  HttpCode,
  HttpStatus,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ACCESS_COOKIE, readCookie } from '../access/token-source';
import { clientInfo } from '../common/client-info';
import { Public } from '../access/public.decorator';
import { CHALLENGE_HEADER, readSfString, RESPONSE_HEADER, SESSION_ID_HEADER } from './dbsc-headers';
import { ProofRejectedError } from './dbsc-proof';
import { BoundCookieGrant, DbscService, SessionConfiguration } from './dbsc.service';

/**
 * The browser's side of DBSC. Public: the proof of possession is the credential, and the browser calls
 * these itself (no page script, so no CSRF token). Every refusal is the same for the client; the reason
 * goes to the audit log.
 */
@Controller('dbsc')
export class DbscController {
  constructor(private readonly dbsc: DbscService) {}

  @Public()
  @ApiHeader({ name: RESPONSE_HEADER, description: 'The registration proof (dbsc+jwt) as an sf-string' })
  @ApiResponse({ status: 400, description: 'Invalid proof, or a challenge unknown, used or expired' })
  @Post('register')
  @HttpCode(HttpStatus.OK)
  async register(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const proof = readSfString(request.get(RESPONSE_HEADER));
    try {
      const accessToken = readCookie(request, ACCESS_COOKIE);
      return send(response, await this.dbsc.register(proof, accessToken, clientInfo(request)));
    } catch (error) {
      if (error instanceof ProofRejectedError) throw new BadRequestException('Invalid DBSC registration proof');
      throw error;
    }
  }

  @Public()
  @ApiHeader({ name: SESSION_ID_HEADER, description: 'The session_identifier, as an sf-string' })
  @ApiHeader({ name: RESPONSE_HEADER, required: false, description: 'The refresh proof (dbsc+jwt)' })
  @ApiResponse({
    status: 403,
    description: 'A proof is needed: sign the challenge',
    headers: { [CHALLENGE_HEADER]: { description: '"<challenge>";id="<session id>"', schema: { type: 'string' } } },
  })
  @ApiResponse({ status: 401, description: 'Invalid proof or unknown session: the browser ends its DBSC session' })
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  async refresh(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionConfiguration> {
    const sessionId = readSfString(request.get(SESSION_ID_HEADER));
    const proof = readSfString(request.get(RESPONSE_HEADER));
    let outcome;
    try {
      outcome = await this.dbsc.refresh(sessionId, proof, clientInfo(request));
    } catch (error) {
      // Not 403: the browser would retry forever; 401 ends its session (the draft's termination).
      if (error instanceof ProofRejectedError) throw new UnauthorizedException('Invalid DBSC proof');
      throw error;
    }
    if ('challenge' in outcome) {
      response.setHeader(CHALLENGE_HEADER, outcome.challenge);
      throw new ForbiddenException('A DBSC proof is required');
    }
    return send(response, outcome);
  }
}

function send(response: Response, grant: BoundCookieGrant): SessionConfiguration {
  response.append('Set-Cookie', grant.setCookie);
  response.setHeader('Cache-Control', 'no-store');
  return grant.configuration;
}
