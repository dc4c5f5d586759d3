import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuditService } from '../audit/audit.service';
import { RequiresRecentAuth } from '../access/requires-recent-auth.decorator';
import { FakeClock } from '../../test/helpers/fake-clock';
import { RecentAuthGuard, StepUpRequiredException } from './recent-auth.guard';

/** Handlers as the guard sees them: functions handed over without their object, so `this: void`. */
class Routes {
  @RequiresRecentAuth()
  sensitive(this: void): void {}

  @RequiresRecentAuth({ maxAgeSeconds: 30 })
  verySensitive(this: void): void {}

  ordinary(this: void): void {}
}

describe('RecentAuthGuard', () => {
  const clock = new FakeClock(new Date('2026-11-30T12:00:00Z'));
  const recorded: unknown[] = [];
  const audit = { record: (event: unknown) => recorded.push(event) } as unknown as AuditService;
  const guard = new RecentAuthGuard(new Reflector(), clock, audit, {
    stepUpMaxAgeSeconds: 600,
    webauthn: { rpId: 'localhost', origins: [] },
  });
  const headers: Record<string, string> = {};

  function context(handler: keyof Routes, authTime: number | undefined): ExecutionContext {
    const request = {
      user: { userId: 'u', sessionId: 's', authTime },
      path: '/x',
      ip: '127.0.0.1',
      get: () => '',
      socket: {},
    };
    const response = { setHeader: (name: string, value: string) => (headers[name] = value) };
    return {
      getHandler: () => Routes.prototype[handler],
      getClass: () => Routes,
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    } as unknown as ExecutionContext;
  }

  const now = () => clock.nowSeconds();

  it('lets routes without the decorator through, however old the login', () => {
    expect(guard.canActivate(context('ordinary', now() - 86_400))).toBe(true);
    expect(guard.canActivate(context('ordinary', undefined))).toBe(true);
  });

  it('allows an authentication exactly STEP_UP_MAX_AGE old and refuses one a second older', () => {
    expect(guard.canActivate(context('sensitive', now() - 600))).toBe(true);
    expect(() => guard.canActivate(context('sensitive', now() - 601))).toThrow(StepUpRequiredException);
    expect(headers['WWW-Authenticate']).toBe('Bearer error="insufficient_user_authentication", max_age=600');
  });

  it("honours a route's own window", () => {
    expect(guard.canActivate(context('verySensitive', now() - 30))).toBe(true);
    expect(() => guard.canActivate(context('verySensitive', now() - 31))).toThrow(StepUpRequiredException);
  });

  it('fails closed for a principal without auth_time', () => {
    expect(() => guard.canActivate(context('sensitive', undefined))).toThrow(StepUpRequiredException);
    expect(recorded.at(-1)).toMatchObject({ type: 'step_up_required', success: false, userId: 'u' });
  });
});
