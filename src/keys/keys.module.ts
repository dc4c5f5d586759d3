import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SigningKey } from './entities/signing-key.entity';
import { KeyChangeBus } from './key-change.bus';
import { KeyRotationService } from './key-rotation.service';
import { KeyStore } from './key-store.service';

/**
 * The key registry and its lifecycle, with no side effect at start-up: the CLI imports this, so its
 * read-only commands (keys:list) change nothing. The server adds KeysServerModule.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKey])],
  providers: [KeyStore, KeyRotationService, KeyChangeBus],
  exports: [KeyStore, KeyRotationService, KeyChangeBus],
})
export class KeysModule {}
