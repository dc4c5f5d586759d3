import { Clock } from '../common/clock/clock';
import { DpopNonceService } from './dpop-nonce.service';

class MovableClock extends Clock {
  seconds = 1_800_000_000;
  override now(): Date {
    return new Date(this.seconds * 1000);
  }
}

describe('DpopNonceService', () => {
  const secret = (byte: number) => ({ CSRF_SECRET: Buffer.alloc(32, byte) }) as never;
  const clock = new MovableClock();
  const nonces = new DpopNonceService(clock, secret(1), { proofMaxAgeSeconds: 60, nonce: true });

  it('accepts its nonce for the period it was issued in and the next, then no longer', () => {
    clock.seconds = 1_800_000_000;
    const nonce = nonces.current();
    expect(nonces.isValid(nonce)).toBe(true);
    clock.seconds += 300;
    expect(nonces.isValid(nonce)).toBe(true);
    clock.seconds += 300;
    expect(nonces.isValid(nonce)).toBe(false);
  });

  it('refuses a nonce for a future period, another secret or a forged MAC', () => {
    clock.seconds = 1_800_000_000;
    const nonce = nonces.current();
    clock.seconds -= 300;
    expect(nonces.isValid(nonce)).toBe(false);
    clock.seconds += 300;
    const other = new DpopNonceService(clock, secret(2), { proofMaxAgeSeconds: 60, nonce: true });
    expect(nonces.isValid(other.current())).toBe(false);
    const [period] = nonce.split('.');
    expect(nonces.isValid(`${period}.${'A'.repeat(43)}`)).toBe(false);
    expect(nonces.isValid('')).toBe(false);
  });
});
