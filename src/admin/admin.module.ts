import { Module } from '@nestjs/common';
import { AnomalyModule } from '../anomaly/anomaly.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AccountControlModule } from './account-control.module';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';

@Module({
  imports: [UsersModule, SessionsModule, AnomalyModule, AccountControlModule],
  controllers: [AdminController],
  providers: [AdminService],
})
export class AdminModule {}
