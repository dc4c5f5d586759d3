import { Module } from '@nestjs/common';
import { AlertService } from './alert.service';
import { WebhookSink } from './webhook.sink';

@Module({
  providers: [AlertService, WebhookSink],
  exports: [AlertService],
})
export class AlertsModule {}
