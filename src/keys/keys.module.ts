import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SigningKey } from './entities/signing-key.entity';
import { KeyRefreshJob } from './key-refresh.job';
import { KeyRotationService } from './key-rotation.service';
import { KeyStore } from './key-store.service';
import { WellKnownController } from './well-known.controller';

@Module({
  imports: [TypeOrmModule.forFeature([SigningKey])],
  controllers: [WellKnownController],
  providers: [KeyStore, KeyRotationService, KeyRefreshJob],
  exports: [KeyStore, KeyRotationService],
})
export class KeysModule {}
