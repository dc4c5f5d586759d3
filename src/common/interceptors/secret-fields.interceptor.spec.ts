import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, of } from 'rxjs';
import { Secret } from '../decorators/secret.decorator';
import { SecretFieldsInterceptor } from './secret-fields.interceptor';

class Account {
  id = 'a1';
  @Secret() apiKeyHash = 'hash-of-the-key';
  createdAt = new Date('2026-01-02T03:04:05.000Z');
}

describe('SecretFieldsInterceptor', () => {
  const serializer = new SecretFieldsInterceptor(new Reflector());
  /** Through intercept(), as a request would: that is where Nest loads class-transformer. */
  const serialize = async (body: unknown): Promise<unknown> => {
    const context = { getType: () => 'http', getHandler: () => serialize, getClass: () => Account };
    const next: CallHandler = { handle: () => of(body) };
    return lastValueFrom(await serializer.intercept(context as unknown as ExecutionContext, next));
  };

  it.each([
    ['an instance', new Account(), { id: 'a1', createdAt: new Date('2026-01-02T03:04:05.000Z') }],
    ['a spread copy', { ...new Account() }, { id: 'a1', createdAt: new Date('2026-01-02T03:04:05.000Z') }],
    ['a list of copies', [{ ...new Account(), extra: 1 }], [{ id: 'a1', createdAt: expect.any(Date), extra: 1 }]],
    [
      'copies nested in plain objects and lists, one without a prototype',
      { page: { items: [Object.assign(Object.create(null) as object, { apiKeyHash: 'x', id: 'b' })] } },
      { page: { items: [{ id: 'b' }] } },
    ],
  ])('drops the marked field from %s', async (_case, body, expected) => {
    expect(await serialize(body)).toEqual(expected);
  });

  it('leaves values that are not records alone', async () => {
    const bytes = Buffer.from('not a record');
    expect(await serialize({ bytes, when: new Date(0), n: 1, s: 'apiKeyHash' })).toEqual({
      bytes,
      when: new Date(0),
      n: 1,
      s: 'apiKeyHash',
    });
    expect(await serialize('text')).toBe('text');
  });
});
