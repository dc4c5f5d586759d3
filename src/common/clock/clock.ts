import { Global, Injectable, Module } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';

/** Time as the application sees it; tests replace it to reach expiry without sleeping. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  /** Waits `ms` (rejects with an AbortError when `signal` aborts); tests replace it to record, not wait. */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await delay(ms, undefined, { signal });
  }
}

@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
