import { Controller, Get } from '@nestjs/common';
import { AcceptExternalIssuers } from '../access/accept-external-issuers.decorator';
import { CurrentUser } from '../access/current-user.decorator';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { PrincipalResponseDto } from './dto/principal-response.dto';

/**
 * The one built-in route open to EXTERNAL_ISSUERS: it shows what a resource controller of yours receives,
 * whoever issued the token. Mark your own controllers the same way to serve other issuers' clients.
 */
@Controller('auth')
@AcceptExternalIssuers()
export class PrincipalController {
  @Get('principal')
  principal(@CurrentUser() principal: AuthenticatedUser): PrincipalResponseDto {
    return PrincipalResponseDto.from(principal);
  }
}
