import { clientKey } from './client-info';

describe('clientKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:3::1', '2001:db8:1:3::/64'],
  ])('%s counts as %s', (ip, key) => {
    expect(clientKey(ip)).toBe(key);
  });

  it('treats every address of one /64 as one client (rate limit and login throttle alike)', () => {
    expect(clientKey('2001:db8::1')).toBe(clientKey('2001:db8::ffff:1'));
  });
});
