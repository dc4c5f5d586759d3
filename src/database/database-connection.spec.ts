import {
  DatabaseConnectionError,
  describeConnectionFailure,
  redactDatabaseUrl,
  typeOrmOptions,
} from './database-connection';

const failure = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('database connection failures', () => {
  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5999', /nothing is listening there/],
    ['3D000', 'database "nosuch" does not exist', /the database does not exist/],
    ['28P01', 'password authentication failed for user "warden"', /the password was refused/],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND db.invalid', /does not resolve/],
  ])('%s becomes one line naming DATABASE_URL, without the password', (code, message, reason) => {
    const error = describeConnectionFailure(failure(code, message), 'postgres://warden:s3cret@db:5999/warden');
    expect(error).toBeInstanceOf(DatabaseConnectionError);
    const text = (error as Error).message;
    expect(text).toMatch(
      /^Cannot connect to the database at DATABASE_URL=postgres:\/\/warden:\*\*\*@db:5999\/warden: /,
    );
    expect(text).toMatch(reason);
    expect(text).toContain(message);
    expect(text).toMatch(/Check DATABASE_URL\.$/);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('\n');
  });

  it('leaves other failures (a failing migration) as they are', () => {
    const error = failure('42P07', 'relation "users" already exists');
    expect(describeConnectionFailure(error, 'postgres://db/warden')).toBe(error);
  });

  it('masks only the password of a URL', () => {
    expect(redactDatabaseUrl('postgres://user:p%40ss@host/db')).toBe('postgres://user:***@host/db');
    expect(redactDatabaseUrl('postgres://user@host:5432/db')).toBe('postgres://user@host:5432/db');
    expect(redactDatabaseUrl('sqlite:var/warden.sqlite')).toBe('sqlite:var/warden.sqlite');
  });

  it('retries an unreachable database only in production, where it may still be starting', () => {
    const unreachable = new DatabaseConnectionError('Cannot connect');
    const retries = (nodeEnv: string, error: unknown) => typeOrmOptions('sqlite::memory:', nodeEnv).toRetry?.(error);
    expect(retries('production', unreachable)).toBe(true);
    expect(retries('production', new Error('migration failed'))).toBe(false);
    expect(retries('development', unreachable)).toBe(false);
    expect(retries('test', unreachable)).toBe(false);
  });
});
