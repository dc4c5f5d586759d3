import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AnomalyModule } from '../anomaly/anomaly.module';
import { SessionsModule } from '../sessions/sessions.module';
import { TokensModule } from '../tokens/tokens.module';
import { DbscChallengesService } from './dbsc-challenges.service';
import { DbscController } from './dbsc.controller';
import { DbscService } from './dbsc.service';
import { DbscChallenge } from './entities/dbsc-challenge.entity';

/** Device Bound Session Credentials for browser sessions (W3C draft): registration, challenges, refresh. */
@Module({
  imports: [TypeOrmModule.forFeature([DbscChallenge]), SessionsModule, TokensModule, AnomalyModule],
  controllers: [DbscController],
  providers: [DbscService, DbscChallengesService],
  exports: [DbscService],
})
export class DbscModule {}
