import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { DbscModule } from '../dbsc/dbsc.module';
import { LabDpopService } from './lab-dpop.service';
import { LabEnabledMiddleware } from './lab-enabled.middleware';
import { LabController } from './lab.controller';
import { LabService } from './lab.service';

@Module({
  imports: [UsersModule, DbscModule],
  controllers: [LabController],
  providers: [LabService, LabDpopService],
})
export class LabModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(LabEnabledMiddleware).forRoutes(LabController);
  }
}
