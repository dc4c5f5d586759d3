import { Clock } from '../../src/common/clock/clock';

/**
 * A clock the test moves by hand: expiry without sleeping. `FakeClock.running()` follows real time plus
 * whatever the test added, for tests where a real browser or timer must see time pass.
 */
export class FakeClock extends Clock {
  private offset = 0;
  /** Every delay the app asked for, in order; `sleep` records it and returns at once. */
  readonly sleeps: number[] = [];

  constructor(
    private readonly start: Date = new Date(),
    private readonly follows = false,
  ) {
    super();
  }

  static running(): FakeClock {
    return new FakeClock(new Date(), true);
  }

  override now(): Date {
    return new Date((this.follows ? Date.now() : this.start.getTime()) + this.offset);
  }

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    signal?.throwIfAborted();
    return Promise.resolve();
  }

  advance(ms: number): void {
    this.offset += ms;
  }

  set(date: Date): void {
    this.offset = date.getTime() - (this.follows ? Date.now() : this.start.getTime());
  }
}
