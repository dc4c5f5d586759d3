import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { dataSourceOptions } from '../database/data-source-options';
import { SigningKey } from './entities/signing-key.entity';
import { KeyStore } from './key-store.service';

describe('KeyStore start-up', () => {
  let dataSource: DataSource;

  beforeEach(async () => {
    dataSource = await new DataSource({ ...dataSourceOptions('sqlite::memory:'), entities: [SigningKey] }).initialize();
  });
  afterEach(() => dataSource.destroy());

  function instance(): KeyStore {
    const jwt = { issuer: 'http://localhost', audience: 'warden-api', algorithm: 'ES256', accessTokenTtlSeconds: 900 };
    const keys = {
      rotationIntervalSeconds: null,
      refreshIntervalSeconds: 30,
      jwksMaxAgeSeconds: 300,
      prepublishLeadSeconds: 3600,
      previousEncryptionKey: null,
    };
    const secrets = {
      KEY_ENCRYPTION_KEY: encryptionKey,
      FINGERPRINT_SECRET: encryptionKey,
      CSRF_SECRET: encryptionKey,
      sources: { KEY_ENCRYPTION_KEY: 'env', FINGERPRINT_SECRET: 'env', CSRF_SECRET: 'env' } as const,
      generated: [],
    };
    return new KeyStore(dataSource.getRepository(SigningKey), jwt as never, secrets, keys, new Clock());
  }
  const encryptionKey = randomBytes(32);

  it('activates exactly one key when several instances boot on an empty database at once', async () => {
    const instances = [instance(), instance(), instance()];
    await Promise.all(instances.map((store) => store.prepare()));
    const rows = await dataSource.getRepository(SigningKey).find();
    expect(rows.filter((row) => row.state === 'active')).toHaveLength(1);
    const kids = new Set(instances.map((store) => store.activeSigningKey().kid));
    expect([...kids]).toEqual([rows.find((row) => row.state === 'active')!.kid]);
  });

  it('adopts the existing active key instead of creating another', async () => {
    await instance().prepare();
    await instance().prepare();
    expect(await dataSource.getRepository(SigningKey).count()).toBe(1);
  });
});
