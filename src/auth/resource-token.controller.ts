import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { clientInfo } from '../common/client-info';
import { CurrentUser } from '../access/current-user.decorator';
import { FINGERPRINT_COOKIE, readCookie } from '../access/token-source';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { ResourceTokenDto, ResourceTokenResponseDto } from './dto/resource-token.dto';
import { ResourceTokenService } from './resource-token.service';

@Controller('auth/resource-token')
export class ResourceTokenController {
  constructor(private readonly resourceTokens: ResourceTokenService) {}

  /** A token for another resource server, in the body whatever the transport: the page hands it to that server. */
  @Post()
  @HttpCode(HttpStatus.OK)
  issue(
    @CurrentUser() principal: AuthenticatedUser,
    @Body() dto: ResourceTokenDto,
    @Req() request: Request,
  ): Promise<ResourceTokenResponseDto> {
    return this.resourceTokens.issue(
      principal,
      dto.resource,
      clientInfo(request),
      readCookie(request, FINGERPRINT_COOKIE),
    );
  }
}
