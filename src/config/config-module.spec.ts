import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('ConfigModule and a local .env', () => {
  const saved = { ...process.env };
  const cwd = process.cwd();
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'warden-dotenv-'));
    writeFileSync(join(directory, '.env'), 'WARDEN_DOTENV_PROBE=read\n');
    process.chdir(directory);
  });
  afterEach(() => {
    process.chdir(cwd);
    process.env = { ...saved };
    rmSync(directory, { recursive: true, force: true });
  });

  /** Evaluates config.module.ts afresh (forRoot reads .env when the module is defined) under NODE_ENV. */
  function probe(nodeEnv: string | undefined): string | undefined {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
    delete process.env.WARDEN_DOTENV_PROBE;
    jest.isolateModules(() => {
      jest.requireActual('./config.module');
    });
    return process.env.WARDEN_DOTENV_PROBE;
  }

  it.each([
    [undefined, 'read'],
    ['development', 'read'],
    ['production', undefined],
    ['test', undefined],
  ])('NODE_ENV=%s: the .env value is %s (undefined: the file is ignored)', (nodeEnv, expected) => {
    expect(probe(nodeEnv)).toBe(expected);
  });

  /** The forRoot result config.module.ts imports, evaluated afresh, and the environment it leaves. */
  function boot(nodeEnv: string | undefined): {
    forRoot: Promise<unknown>;
    configuration: typeof import('./configuration');
  } {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
    let forRoot: Promise<unknown> | undefined;
    let configuration: typeof import('./configuration') | undefined;
    jest.isolateModules(() => {
      const { ConfigModule } = jest.requireActual<typeof import('./config.module')>('./config.module');
      forRoot = (Reflect.getMetadata('imports', ConfigModule) as Promise<unknown>[])[0];
      configuration = jest.requireActual<typeof import('./configuration')>('./configuration');
    });
    return { forRoot: forRoot!, configuration: configuration! };
  }

  it('refuses to start when NODE_ENV is unset and .env says NODE_ENV=production', async () => {
    writeFileSync(join(directory, '.env'), 'NODE_ENV=production\nWARDEN_DOTENV_PROBE=read\n');
    const { forRoot, configuration } = boot(undefined);
    const message = 'NODE_ENV=production must come from the real environment, not .env; production reads no .env';
    await expect(forRoot).rejects.toThrow(message);
    await expect(forRoot).rejects.toMatchObject({ name: 'ConfigurationError' });
    // Nothing from the file was applied, and the configuration (read by main.ts first) refuses as well.
    expect(process.env.NODE_ENV).toBeUndefined();
    expect(process.env.WARDEN_DOTENV_PROBE).toBeUndefined();
    expect(() => configuration.currentEnvironment()).toThrow(message);
  });

  it.each(['development', 'production'])(
    'NODE_ENV=%s in the real environment: a .env NODE_ENV line is no error',
    async (nodeEnv) => {
      writeFileSync(join(directory, '.env'), 'NODE_ENV=production\n');
      await expect(boot(nodeEnv).forRoot).resolves.toBeDefined();
      expect(process.env.NODE_ENV).toBe(nodeEnv);
    },
  );

  it('reads a .env that says NODE_ENV=development when the environment has none', async () => {
    writeFileSync(join(directory, '.env'), 'NODE_ENV=development\n');
    await expect(boot(undefined).forRoot).resolves.toBeDefined();
    expect(process.env.NODE_ENV).toBe('development');
  });
});
