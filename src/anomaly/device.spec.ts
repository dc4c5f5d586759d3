import { ipPrefix, userAgentFamily } from './device';

describe('ipPrefix', () => {
  it.each([
    ['203.0.113.77', 24, '203.0.113.0/24'],
    ['203.0.113.77', 16, '203.0.0.0/16'],
    ['127.0.0.1', 24, '127.0.0.0/24'],
    ['2001:db8:1234:5678::1', 48, '2001:db8:1234::/48'],
    ['2001:db8:1234:5678::1', 32, '2001:db8::/32'],
    ['::1', 48, '::/48'],
    ['::ffff:10.1.2.3', 48, '::/48'],
  ])('%s /%i is %s', (ip, bits, expected) => {
    expect(ipPrefix(ip, bits, bits)).toBe(expected);
  });
});

describe('userAgentFamily', () => {
  it.each([
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
      'Chrome on Windows',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0',
      'Edge on Windows',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox on Linux'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'Safari on iOS',
    ],
    ['curl/8.5.0', 'curl'],
    ['', 'unknown'],
  ])('%s is %s', (userAgent, expected) => {
    expect(userAgentFamily(userAgent)).toBe(expected);
  });

  it('ignores versions', () => {
    expect(userAgentFamily('WardenTest/1.0 (jest)')).toBe(userAgentFamily('WardenTest/2.3 (jest)'));
  });
});
