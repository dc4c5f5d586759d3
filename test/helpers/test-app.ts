import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp, nestApplicationOptions } from '../../src/app.setup';
import { AuditService } from '../../src/audit/audit.service';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { Clock } from '../../src/common/clock/clock';
import { loadEnvironment } from '../../src/config/environment';
import { FakeClock } from './fake-clock';

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
  auditEvents: (where?: Partial<AuditEvent>) => Promise<AuditEvent[]>;
  close: () => Promise<void>;
}

export interface TestAppOptions {
  /** Extra environment for this app only (restored after start-up). */
  env?: Record<string, string | undefined>;
  clock?: FakeClock;
}

/**
 * Boots the real AppModule with the production HTTP setup on 127.0.0.1 and an ephemeral port. The only
 * substitution is the clock. Each app gets a fresh in-memory SQLite database unless env says otherwise.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const clock = options.clock ?? new FakeClock();
  const saved: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(options.env ?? {})) {
    saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  let app: INestApplication | undefined;
  let tls = false;
  try {
    const environment = loadEnvironment();
    tls = environment.tls !== null;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    app = configureApp(moduleRef.createNestApplication({ ...nestApplicationOptions(environment.tls), logger: false }));
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    // A failed start-up (e.g. a wrong KEY_ENCRYPTION_KEY) must not leave its database connection open.
    await app?.close().catch(() => undefined);
    throw error;
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const dataSource = app.get(DataSource);
  const audit = app.get(AuditService);
  return {
    app,
    http: () => request(app.getHttpServer()),
    baseUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    clock,
    dataSource,
    auditEvents: async (where = {}) => {
      await audit.flush();
      return dataSource.getRepository(AuditEvent).find({ where, order: { createdAt: 'ASC' } });
    },
    close: () => app.close(),
  };
}
