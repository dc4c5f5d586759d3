import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KnownDevice } from './entities/known-device.entity';
import { KnownDevicesService } from './known-devices.service';

/** Below both login throttling (auth/) and the anomaly rules (anomaly/): each asks it, neither asks the other. */
@Module({
  imports: [TypeOrmModule.forFeature([KnownDevice])],
  providers: [KnownDevicesService],
  exports: [KnownDevicesService],
})
export class KnownDevicesModule {}
