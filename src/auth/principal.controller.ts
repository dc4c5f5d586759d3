import { Controller, Get } from '@nestjs/common';
import { AcceptExternalIssuers } from '../common/decorators/accept-external-issuers.decorator';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import type { AuthenticatedUser } from './authenticated-user';
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
