import { Module } from '@nestjs/common';
import { KeyRefreshJob } from './key-refresh.job';
import { KeysModule } from './keys.module';
import { WellKnownController } from './well-known.controller';

/**
 * What a running server adds to the key registry: the start-up step that opens (or creates) the keys,
 * the poll that keeps every instance in step, and the published JWKS and discovery documents.
 */
@Module({
  imports: [KeysModule],
  controllers: [WellKnownController],
  providers: [KeyRefreshJob],
})
export class KeysServerModule {}
