import { Global, Injectable, Module } from '@nestjs/common';

/** Time as the application sees it; tests replace it to reach expiry without sleeping. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}

@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
