import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { of } from 'rxjs';
import { ACCESS_TOKEN_EXPIRES_HEADER, AuthenticatedResponseInterceptor } from './authenticated-response.interceptor';

function run(user: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => (headers[name] = value),
    vary: (name: string) => (headers.Vary = headers.Vary ? `${headers.Vary}, ${name}` : name),
  };
  const context = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => ({ user }), getResponse: () => response }),
  } as unknown as ExecutionContext;
  const next: CallHandler = { handle: () => of(null) };
  new AuthenticatedResponseInterceptor().intercept(context, next).subscribe();
  return headers;
}

describe('AuthenticatedResponseInterceptor', () => {
  it("gives a Warden principal no-store, Vary and its token's expiry", () => {
    expect(run({ userId: 'u', expiresAt: 1_800_000_000 })).toEqual({
      'Cache-Control': 'no-store',
      Vary: 'Authorization, Cookie',
      [ACCESS_TOKEN_EXPIRES_HEADER]: '2027-01-15T08:00:00.000Z',
    });
  });

  it("keeps no-store for a route's own guard's user, without an expiry it cannot know (never a 500)", () => {
    expect(run({ sub: 'someone' })).toEqual({ 'Cache-Control': 'no-store', Vary: 'Authorization, Cookie' });
  });

  it('leaves anonymous answers alone', () => {
    expect(run(undefined)).toEqual({});
  });
});
