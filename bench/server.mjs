// The server side of `npm run bench`: the real AppModule (production HTTP setup, pino logger at warn) plus
// three bench-only routes that answer the same small JSON, so the only difference between them is the guard:
//   GET /api/bench/unguarded  @Public(): no token work at all
//   GET /api/bench/guarded    Warden's global guard (ES256 + kid, revocation, fingerprint, transport)
//   GET /api/bench/baseline   @Public() + the guard the NestJS docs teach: HS256 JwtService.verifyAsync, nothing else
// Started by bench/run.mjs as a child process; it reports its port and a baseline token over IPC. Environment
// (DATABASE_URL, secrets, RATE_LIMIT_MAX, ...) comes from the parent. Never imported by the application.
// BENCH_DIST points it at another build (an older checkout's dist/) for a before/after comparison.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const {
  Controller,
  Get,
  Injectable,
  Inject,
  Module,
  Req,
  UnauthorizedException,
  UseGuards,
} = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { JwtModule, JwtService } = require('@nestjs/jwt');
const { Logger } = require('nestjs-pino');
// BENCH_DIST: another build to measure side by side (run.mjs passes BENCH_BEFORE_DIST here).
const dist = process.env.BENCH_DIST ?? new URL('../dist', import.meta.url).pathname;
const { AppModule } = require(`${dist}/app.module.js`);
const { configureApp, nestApplicationOptions } = require(`${dist}/app.setup.js`);
// Builds from before the access floor (a BENCH_BEFORE_DIST) kept @Public in common/decorators.
const publicDecorator = [`${dist}/access/public.decorator.js`, `${dist}/common/decorators/public.decorator.js`];
const { Public } = require(publicDecorator.find((file) => existsSync(file)) ?? publicDecorator[0]);

const BASELINE_SECRET = randomBytes(32);

/** https://docs.nestjs.com/security/authentication#implementing-the-authentication-guard, as written there. */
class BaselineGuard {
  constructor(jwtService) {
    this.jwtService = jwtService;
  }

  async canActivate(context) {
    const request = context.switchToHttp().getRequest();
    const [type, token] = request.headers.authorization?.split(' ') ?? [];
    if (type !== 'Bearer' || !token) throw new UnauthorizedException();
    try {
      request.user = await this.jwtService.verifyAsync(token, { secret: BASELINE_SECRET });
    } catch {
      throw new UnauthorizedException();
    }
    return true;
  }
}
Injectable()(BaselineGuard);
Inject(JwtService)(BaselineGuard, undefined, 0);

class BenchController {
  unguarded() {
    return { userId: 'anonymous' };
  }

  guarded(request) {
    return { userId: request.user.userId };
  }

  baseline(request) {
    return { userId: request.user.sub };
  }
}
function route(name, ...decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(BenchController.prototype, name);
  for (const decorator of decorators.reverse()) decorator(BenchController.prototype, name, descriptor);
}
route('unguarded', Public(), Get('unguarded'));
route('guarded', Get('guarded'));
route('baseline', Public(), UseGuards(BaselineGuard), Get('baseline'));
Req()(BenchController.prototype, 'guarded', 0);
Req()(BenchController.prototype, 'baseline', 0);
Controller('bench')(BenchController);

class BenchModule {}
Module({ imports: [JwtModule.register({})], controllers: [BenchController], providers: [BaselineGuard] })(BenchModule);
class BenchRoot {}
Module({ imports: [AppModule, BenchModule] })(BenchRoot);

const app = await NestFactory.create(BenchRoot, { ...nestApplicationOptions(null), bufferLogs: true });
app.useLogger(app.get(Logger));
configureApp(app);
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
const baselineToken = await app
  .get(JwtService)
  .signAsync({ sub: 'baseline-user' }, { secret: BASELINE_SECRET, algorithm: 'HS256', expiresIn: '1h' });
process.send?.({ port: app.getHttpServer().address().port, baselineToken });
// The parent says when to stop; a clean exit also writes the --cpu-prof profile when one was asked for.
// It also reports its CPU time, so the parent can count server CPU per request: on a shared machine that
// figure is far steadier than requests per second.
process.on('message', (message) => {
  if (message === 'stop') void app.close().then(() => process.exit(0));
  if (message === 'cpu') process.send({ cpu: process.cpuUsage() });
});
