import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KeysModule } from '../keys/keys.module';
import { AccessTokenService } from './access-token.service';
import { BoundCookieService } from './bound-cookie.service';
import { DatabaseRevocationStore } from './database-revocation.store';
import { Revocation } from './entities/revocation.entity';
import { FingerprintService } from './fingerprint.service';
import { RevocationStore } from './revocation.store';

@Module({
  imports: [
    // No secret here on purpose: every sign call passes the active private key from the KeyStore.
    JwtModule.register({}),
    TypeOrmModule.forFeature([Revocation]),
    KeysModule,
  ],
  providers: [
    AccessTokenService,
    BoundCookieService,
    FingerprintService,
    { provide: RevocationStore, useClass: DatabaseRevocationStore },
  ],
  exports: [AccessTokenService, BoundCookieService, FingerprintService, RevocationStore, KeysModule],
})
export class TokensModule {}
