import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { CurrentUser } from '../access/current-user.decorator';
import { DpopDemoDto } from './dto/dpop-demo.dto';
import { DbscService, DbscStatus } from '../dbsc/dbsc.service';
import { DBSC_COOKIE } from '../tokens/bound-cookie.service';
import { readCookie } from '../access/token-source';
import { ReplayDto } from './dto/replay.dto';
import { LabDpopService } from './lab-dpop.service';
import { LabExchange, LabService } from './lab.service';

/**
 * Security lab for the browser client. Routes sit under /api/auth so the browser sends the refresh cookie;
 * they are authenticated and CSRF-checked like any other route.
 */
@Controller('auth/lab')
export class LabController {
  constructor(
    private readonly lab: LabService,
    private readonly dpopLab: LabDpopService,
    private readonly dbsc: DbscService,
  ) {}

  /** Whether this browser bound the session to a key (DBSC), and if so the key and the bound cookie's expiry. */
  @Get('dbsc')
  dbscStatus(@CurrentUser() principal: AuthenticatedUser, @Req() request: Request): Promise<DbscStatus> {
    return this.dbsc.status(principal.sessionId, readCookie(request, DBSC_COOKIE));
  }

  @Post('replay')
  @HttpCode(HttpStatus.OK)
  async replay(@Body() dto: ReplayDto, @Req() request: Request): Promise<LabExchange & { attack: string }> {
    return { attack: dto.attack, ...(await this.lab.replay(request, dto.attack)) };
  }

  /** DPoP: a stolen DPoP-bound token without the key, and a replayed proof, are refused. */
  @Post('dpop')
  @HttpCode(HttpStatus.OK)
  async dpop(
    @Body() dto: DpopDemoDto,
    @CurrentUser() principal: AuthenticatedUser,
    @Req() request: Request,
  ): Promise<{ steps: LabExchange[] }> {
    return { steps: await this.dpopLab.demonstrate(request, principal.userId, dto.password) };
  }

  @Post('refresh-reuse')
  @HttpCode(HttpStatus.OK)
  async refreshReuse(@Req() request: Request): Promise<{ steps: LabExchange[] }> {
    return { steps: await this.lab.refreshReuse(request) };
  }
}
