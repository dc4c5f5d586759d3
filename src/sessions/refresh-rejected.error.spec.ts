import type { Session } from './entities/session.entity';
import { RefreshRejectedError, RefreshTokenReusedError } from './refresh-rejected.error';

describe('RefreshRejectedError', () => {
  it('cannot say "reuse" without what ending the family needs', () => {
    expect(() => new RefreshRejectedError('reuse')).toThrow(TypeError);
  });

  it('a reuse is a RefreshTokenReusedError, which is still a refusal', () => {
    const error = new RefreshTokenReusedError({ id: 's1' } as Session, 't1', new Date(0));
    expect(error).toBeInstanceOf(RefreshRejectedError);
    expect(error.reason).toBe('reuse');
  });
});
