import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertsModule } from '../alerts/alerts.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AnomalyService } from './anomaly.service';
import { KnownDevice } from './entities/known-device.entity';

@Module({
  imports: [TypeOrmModule.forFeature([KnownDevice]), SessionsModule, AlertsModule],
  providers: [AnomalyService],
  exports: [AnomalyService, AlertsModule],
})
export class AnomalyModule {}
