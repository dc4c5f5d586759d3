import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SigningKey } from './entities/signing-key.entity';
import { JwksController } from './jwks.controller';
import { KeyStore } from './key-store.service';

@Module({
  imports: [TypeOrmModule.forFeature([SigningKey])],
  controllers: [JwksController],
  providers: [KeyStore],
  exports: [KeyStore],
})
export class KeysModule {}
