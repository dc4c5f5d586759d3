import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session } from './entities/session.entity';
import { RefreshTokenService } from './refresh-token.service';
import { SessionPurgeJob } from './session-purge.job';
import { SessionStartService } from './session-start.service';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  imports: [TypeOrmModule.forFeature([Session, RefreshToken]), TokensModule, UsersModule],
  controllers: [SessionsController],
  providers: [SessionsService, SessionStartService, RefreshTokenService, SessionPurgeJob],
  exports: [SessionsService, SessionStartService, RefreshTokenService],
})
export class SessionsModule {}
