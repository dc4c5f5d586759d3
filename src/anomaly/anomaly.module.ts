import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertsModule } from '../alerts/alerts.module';
import { KnownDevicesModule } from '../known-devices/known-devices.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AnomalyService } from './anomaly.service';
import { UserFlag } from './entities/user-flag.entity';

@Module({
  imports: [TypeOrmModule.forFeature([UserFlag]), KnownDevicesModule, SessionsModule, AlertsModule],
  providers: [AnomalyService],
  exports: [AnomalyService, AlertsModule],
})
export class AnomalyModule {}
