import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TokensModule } from '../tokens/tokens.module';
import { RefreshToken } from './entities/refresh-token.entity';
import { User } from '../users/entities/user.entity';
import { Session } from './entities/session.entity';
import { SessionPurgeJob } from './session-purge.job';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  imports: [TypeOrmModule.forFeature([Session, RefreshToken, User]), TokensModule],
  controllers: [SessionsController],
  providers: [SessionsService, SessionPurgeJob],
  exports: [SessionsService],
})
export class SessionsModule {}
