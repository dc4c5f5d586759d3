import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { AbstractLoader, ExpressLoader } from '@nestjs/serve-static';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import { DataSource, FindOptionsWhere } from 'typeorm';
import { currentSettings } from '../../src/app.config';
import { AppModule } from '../../src/app.module';
import { configureApp, nestApplicationOptions } from '../../src/app.setup';
import { AuditService } from '../../src/audit/audit.service';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { Clock } from '../../src/common/clock/clock';
import { LOG_DESTINATION } from '../../src/logging/logging.module';
import { FakeClock } from './fake-clock';
import { freshPostgresSchema } from './postgres';
import { freshRedisPrefix } from './redis';
import { capturedLogs } from './secret-leaks';

export interface TestApp {
  app: INestApplication;
  /** supertest bound to the listening server. */
  http: () => ReturnType<typeof request>;
  /** http(s)://127.0.0.1:<port>, for raw requests (e.g. from another local address). */
  baseUrl: string;
  port: number;
  clock: FakeClock;
  dataSource: DataSource;
  /** Flushes the audit queue and returns the stored events, oldest first. */
  auditEvents: (where?: FindOptionsWhere<AuditEvent>) => Promise<AuditEvent[]>;
  close: () => Promise<void>;
}

export interface TestAppOptions {
  /** Extra environment for this app only (restored after start-up). */
  env?: Record<string, string | undefined>;
  clock?: FakeClock;
  /** Receives every log line (JSON, one per write); by default the suite-wide capture of secret-leaks.ts. */
  logDestination?: DestinationStream;
  /**
   * A port chosen beforehand (see freePort()), for the rare test that must name the app's origin in its
   * settings (WebAuthn origins); otherwise the system picks one.
   */
  port?: number;
  /** Test-only modules mounted beside AppModule (e.g. a controller that makes a mistake on purpose). */
  imports?: ModuleMetadata['imports'];
}

/**
 * Boots the real AppModule with the production HTTP setup on 127.0.0.1 and an ephemeral port. The only
 * substitutions are the clock and the static-file loader (pinned to the one production picks). Each app
 * gets a fresh in-memory SQLite database unless env says otherwise.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const clock = options.clock ?? new FakeClock();
  const saved: Record<string, string | undefined> = {};
  const backend = await sharedBackend(options.env ?? {});
  for (const [name, value] of Object.entries({ ...backend.env, ...options.env })) {
    saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  let app: INestApplication | undefined;
  let tls = false;
  try {
    const settings = currentSettings().app;
    tls = settings.tls !== null;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule, ...(options.imports ?? [])] })
      .overrideProvider(Clock)
      .useValue(clock)
      // ServeStaticModule picks its loader when the module compiles; a testing module has no HTTP adapter
      // yet, so it would pick the no-op loader and not serve the client (nestjs/serve-static#240).
      .overrideProvider(AbstractLoader)
      .useClass(ExpressLoader)
      .overrideProvider(LOG_DESTINATION)
      .useValue(options.logDestination ?? capturedLogs)
      .compile();
    app = moduleRef.createNestApplication({ ...nestApplicationOptions(settings.tls), bufferLogs: true });
    // As in main.ts: Nest's own log lines go through the JSON logger too (silent unless LOG_LEVEL says).
    app.useLogger(app.get(Logger));
    configureApp(app);
    await app.listen(options.port ?? 0, '127.0.0.1');
  } catch (error) {
    // A failed start-up (e.g. a wrong KEY_ENCRYPTION_KEY) must not leave its database connection open.
    await app?.close().catch(() => undefined);
    await backend.drop();
    throw error;
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  // Nest types its server as `any`; production's setup (app.setup.ts) names it the same way.
  const server = app.getHttpServer() as Server;
  const port = (server.address() as AddressInfo).port;
  const dataSource = app.get(DataSource);
  const audit = app.get(AuditService);
  return {
    app,
    http: () => request(server),
    baseUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    clock,
    dataSource,
    auditEvents: async (where = {}) => {
      await audit.flush();
      return dataSource.getRepository(AuditEvent).find({ where, order: { createdAt: 'ASC' } });
    },
    close: async () => {
      try {
        await app.close();
      } finally {
        await backend.drop();
      }
    },
  };
}

/**
 * `npm run test:e2e:pg-redis` (TEST_BACKEND=postgres-redis) runs the whole HTTP suite on PostgreSQL and
 * Redis: each app gets its own schema and key prefix, removed again on close. A test that names its own
 * DATABASE_URL or REDIS_URL keeps it.
 */
async function sharedBackend(
  env: Record<string, string | undefined>,
): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const extra: Record<string, string> = {};
  const drops: (() => Promise<void>)[] = [];
  if (process.env.TEST_BACKEND === 'postgres-redis') {
    if (!('DATABASE_URL' in env)) {
      const schema = await freshPostgresSchema();
      extra.DATABASE_URL = schema.url;
      drops.push(schema.drop);
    }
    if (!('REDIS_URL' in env)) {
      const prefix = freshRedisPrefix();
      extra.REDIS_URL = prefix.url;
      extra.REDIS_KEY_PREFIX = prefix.prefix;
      drops.push(prefix.drop);
    }
  }
  return { env: extra, drop: async () => void (await Promise.all(drops.map((drop) => drop()))) };
}

/** A port free right now on 127.0.0.1: the system picks it, then the probe lets it go. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
