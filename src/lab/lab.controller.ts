import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ReplayDto } from './dto/replay.dto';
import { LabExchange, LabService } from './lab.service';

/**
 * Security lab for the browser client. Routes sit under /api/auth so the browser sends the refresh cookie;
 * they are authenticated and CSRF-checked like any other route.
 */
@Controller('auth/lab')
export class LabController {
  constructor(private readonly lab: LabService) {}

  @Post('replay')
  @HttpCode(HttpStatus.OK)
  async replay(@Body() dto: ReplayDto, @Req() request: Request): Promise<LabExchange & { attack: string }> {
    return { attack: dto.attack, ...(await this.lab.replay(request, dto.attack)) };
  }

  @Post('refresh-reuse')
  @HttpCode(HttpStatus.OK)
  async refreshReuse(@Req() request: Request): Promise<{ steps: LabExchange[] }> {
    return { steps: await this.lab.refreshReuse(request) };
  }
}
