import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { revocationConfig } from './revocation.config';
import { KeysModule } from '../keys/keys.module';
import { RedisConnection } from '../redis/redis-connection';
import { AccessTokenService } from './access-token.service';
import { BoundCookieService } from './bound-cookie.service';
import { DatabaseRevocationStore } from './database-revocation.store';
import { Revocation } from './entities/revocation.entity';
import { FingerprintService } from './fingerprint.service';
import { RedisRevocationStore } from './redis-revocation.store';
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
    {
      provide: RevocationStore,
      inject: [getRepositoryToken(Revocation), Clock, revocationConfig.KEY, RedisConnection],
      useFactory: (
        revocations: Repository<Revocation>,
        clock: Clock,
        settings: ConfigType<typeof revocationConfig>,
        redis: RedisConnection | null,
      ) =>
        redis
          ? new RedisRevocationStore(revocations, clock, settings, redis)
          : new DatabaseRevocationStore(revocations, clock, settings),
    },
  ],
  exports: [AccessTokenService, BoundCookieService, FingerprintService, RevocationStore, KeysModule],
})
export class TokensModule {}
