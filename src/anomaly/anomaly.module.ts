import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertsModule } from '../alerts/alerts.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AnomalyService } from './anomaly.service';
import { KnownDevice } from './entities/known-device.entity';
import { UserFlag } from './entities/user-flag.entity';

@Module({
  imports: [TypeOrmModule.forFeature([KnownDevice, UserFlag]), SessionsModule, AlertsModule],
  providers: [AnomalyService],
  exports: [AnomalyService, AlertsModule],
})
export class AnomalyModule {}
