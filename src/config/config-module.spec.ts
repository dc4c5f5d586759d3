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

  /** Defines the config module afresh (forRoot reads .env when it is defined) under NODE_ENV. */
  function probe(nodeEnv: string | undefined): string | undefined {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
    delete process.env.WARDEN_DOTENV_PROBE;
    jest.isolateModules(() => {
      const { configModule } = jest.requireActual<typeof import('./config.module')>('./config.module');
      void configModule([]);
    });
    return process.env.WARDEN_DOTENV_PROBE;
  }

  it.each([
    [undefined, undefined],
    ['development', 'read'],
    ['production', undefined],
    ['test', undefined],
  ])('NODE_ENV=%s: the .env value is %s (undefined: the file is ignored)', (nodeEnv, expected) => {
    expect(probe(nodeEnv)).toBe(expected);
  });

  it('a .env cannot choose development: with NODE_ENV unset the file is not read at all', () => {
    writeFileSync(join(directory, '.env'), 'NODE_ENV=development\nLAB_ENABLED=true\nWARDEN_DOTENV_PROBE=read\n');
    expect(probe(undefined)).toBeUndefined();
    expect(process.env.NODE_ENV).toBeUndefined();
    expect(process.env.LAB_ENABLED).toBeUndefined();
  });

  it('the real environment wins over a .env NODE_ENV line in development', () => {
    writeFileSync(join(directory, '.env'), 'NODE_ENV=production\nWARDEN_DOTENV_PROBE=read\n');
    expect(probe('development')).toBe('read');
    expect(process.env.NODE_ENV).toBe('development');
  });
});
