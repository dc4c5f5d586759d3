import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AccountControlService } from './account-control.service';

/** No routes: the admin API and the CLI (which loads it lazily, after migrating) share it. */
@Module({
  imports: [UsersModule, SessionsModule],
  providers: [AccountControlService],
  exports: [AccountControlService],
})
export class AccountControlModule {}
