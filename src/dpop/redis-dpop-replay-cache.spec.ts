import { SharedStateUnavailableException } from '../common/exceptions/retry-later.exception';
import type { RedisConnection } from '../redis/redis-connection';
import { RedisDpopReplayCache } from './redis-dpop-replay-cache';

describe('RedisDpopReplayCache', () => {
  const cache = (set: jest.Mock) => new RedisDpopReplayCache({ client: { set } } as unknown as RedisConnection);

  it('asks Redis to set the key only if absent, expiring with the window, and says whether it did', async () => {
    const set = jest.fn().mockResolvedValueOnce('OK').mockResolvedValueOnce(null);
    await expect(cache(set).firstUse('k', 70)).resolves.toBe(true);
    expect(set).toHaveBeenCalledWith('dpop-jti:k', '1', 'EX', 70, 'NX');
    await expect(cache(set).firstUse('k', 70)).resolves.toBe(false);
  });

  it('fails closed with a 503 while Redis is unreachable: no proof is accepted unchecked', async () => {
    const set = jest.fn().mockRejectedValue(new Error('Connection is closed.'));
    await expect(cache(set).firstUse('k', 70)).rejects.toBeInstanceOf(SharedStateUnavailableException);
  });
});
