import { AuditInterceptor } from '../src/audit/audit.interceptor';
import { JwtAuthGuard } from '../src/auth/jwt-auth.guard';
import { RecentAuthGuard } from '../src/auth/recent-auth.guard';
import { RolesGuard } from '../src/access/roles.guard';
import { AuthenticatedResponseInterceptor } from '../src/access/authenticated-response.interceptor';
import { SecretFieldsInterceptor } from '../src/common/interceptors/secret-fields.interceptor';
import { CsrfGuard } from '../src/csrf/csrf.guard';
import { RESPONSE_INTERCEPTORS, SECURITY_GUARDS } from '../src/pipeline/security-pipeline.module';
import { ClientIpThrottlerGuard } from '../src/throttle/client-ip-throttler.guard';
import { loginCookie, promoteToAdmin, registerUser } from './factories/users';
import { messageOf } from './helpers/api';
import { ProbeModule } from './helpers/probe.module';
import { createTestApp, TestApp } from './helpers/test-app';

type Stage = [name: string, prototype: object, method: 'canActivate' | 'intercept'];

/** Every global guard and interceptor, in the order a request must meet them. */
const PIPELINE: Stage[] = [
  ['throttle', ClientIpThrottlerGuard.prototype, 'canActivate'],
  ['jwt', JwtAuthGuard.prototype, 'canActivate'],
  ['roles', RolesGuard.prototype, 'canActivate'],
  ['csrf', CsrfGuard.prototype, 'canActivate'],
  ['recent-auth', RecentAuthGuard.prototype, 'canActivate'],
  ['audit', AuditInterceptor.prototype, 'intercept'],
  ['authenticated-response', AuthenticatedResponseInterceptor.prototype, 'intercept'],
  ['secret-fields', SecretFieldsInterceptor.prototype, 'intercept'],
];

describe('the security pipeline', () => {
  let t: TestApp;
  const met: string[] = [];

  beforeAll(async () => {
    // Each stage notes its name when a request reaches it, then does its real work.
    for (const [name, prototype, method] of PIPELINE) {
      const target = prototype as Record<typeof method, (...args: unknown[]) => unknown>;
      const original = target[method];
      jest.spyOn(target, method).mockImplementation(function (this: unknown, ...args: unknown[]) {
        met.push(name);
        return original.apply(this, args);
      });
    }
    t = await createTestApp({ imports: [ProbeModule] });
  });
  afterAll(async () => {
    await t.close();
    jest.restoreAllMocks();
  });
  beforeEach(() => {
    met.length = 0;
  });

  it('is declared in one ordered list: throttle → JWT → roles → CSRF → recent auth, then audit → response headers → serializer', () => {
    expect([...SECURITY_GUARDS, ...RESPONSE_INTERCEPTORS].map((stage) => stage.name)).toEqual(
      PIPELINE.map(([, prototype]) => (prototype as { constructor: { name: string } }).constructor.name),
    );
  });

  it('runs every guard, then every interceptor, in that order', async () => {
    const admin = await registerUser(t);
    await promoteToAdmin(t, admin);
    const session = await loginCookie(t, admin);
    met.length = 0;
    await t.http().post('/api/probe/admin-only').set(session.headers).expect(201);
    expect(met).toEqual(PIPELINE.map(([name]) => name));
  });

  it('an anonymous caller is refused by the JWT guard (401), before roles are looked at', async () => {
    await t.http().get('/api/admin/audit').expect(401);
    expect(met).toEqual(['throttle', 'jwt']);
  });

  it('a caller without the role is refused by the roles guard, before the CSRF check', async () => {
    const user = await registerUser(t);
    const session = await loginCookie(t, user);
    const { 'X-CSRF-Token': _csrf, ...withoutCsrf } = session.headers;
    met.length = 0;
    const response = await t.http().post('/api/probe/admin-only').set(withoutCsrf).expect(403);
    expect(messageOf(response)).toBe('You do not have permission to do this');
    expect(met).toEqual(['throttle', 'jwt', 'roles']);
    expect(await t.auditEvents({ type: 'csrf_rejected', userId: user.id })).toEqual([]);
  });

  it('a request the guards refuse never reaches an interceptor: no audit record of the action', async () => {
    const user = await registerUser(t);
    const session = await loginCookie(t, user);
    const { 'X-CSRF-Token': _csrf, ...withoutCsrf } = session.headers;
    met.length = 0;
    await t.http().post('/api/probe/things').set(withoutCsrf).expect(403);
    expect(met).toEqual(['throttle', 'jwt', 'roles', 'csrf']);
    expect(await t.auditEvents({ type: 'thing_created', userId: user.id })).toEqual([]);
    expect(await t.auditEvents({ type: 'csrf_rejected', userId: user.id })).toHaveLength(1);
  });
});
