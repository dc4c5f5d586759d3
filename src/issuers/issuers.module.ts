import { Module } from '@nestjs/common';
import { DpopModule } from '../dpop/dpop.module';
import { ExternalIssuersService } from './external-issuers.service';

/** Trust in other OpenID providers' access tokens (EXTERNAL_ISSUERS); the JWT guard consults it. */
@Module({
  imports: [DpopModule],
  providers: [ExternalIssuersService],
  exports: [ExternalIssuersService],
})
export class IssuersModule {}
