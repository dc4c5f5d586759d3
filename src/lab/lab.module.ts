import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { DbscModule } from '../dbsc/dbsc.module';
import { LabEnabledMiddleware } from './lab-enabled.middleware';
import { LabController } from './lab.controller';
import { LabService } from './lab.service';

@Module({ imports: [DbscModule], controllers: [LabController], providers: [LabService] })
export class LabModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(LabEnabledMiddleware).forRoutes(LabController);
  }
}
