import { challengeHeader, readSfString, registrationHeader } from './dbsc-headers';

describe('DBSC structured header fields', () => {
  it('writes the registration and challenge fields as the draft shows them', () => {
    expect(registrationHeader('/api/dbsc/register', 'abc')).toBe(
      '(ES256 RS256);path="/api/dbsc/register";challenge="abc"',
    );
    expect(challengeHeader('abc', 'sid-1')).toBe('"abc";id="sid-1"');
  });

  it('reads an sf-string, and the bare value early Chrome builds sent', () => {
    expect(readSfString('"a.b-c_d"')).toBe('a.b-c_d');
    expect(readSfString(' a.b-c_d ')).toBe('a.b-c_d');
    expect(readSfString(undefined)).toBeUndefined();
  });

  it.each(['', '""', '"a', 'a"b', '"a b"', '"a\\"b"', '"a";id="x"', 'a\u0000b', 'x'.repeat(8193)])(
    'refuses %p: nothing a JWT or a session id could be',
    (raw) => {
      expect(readSfString(raw)).toBeUndefined();
    },
  );
});
