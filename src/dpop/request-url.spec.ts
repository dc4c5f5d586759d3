import { normalizeHtu } from './request-url';

describe('normalizeHtu', () => {
  it.each([
    ['HTTPS://API.Example.COM:443/a/../b?x=1#f', 'https://api.example.com/b'],
    ['http://127.0.0.1:8080/api/users/me', 'http://127.0.0.1:8080/api/users/me'],
    ['https://api.example.com', 'https://api.example.com/'],
  ])('%s is %s', (value, expected) => {
    expect(normalizeHtu(value)).toBe(expected);
  });

  it.each(['/api/users/me', 'not a url', 'ftp://api.example.com/x', 'https://user:pw@api.example.com/x'])(
    'refuses %s',
    (value) => {
      expect(normalizeHtu(value)).toBeUndefined();
    },
  );
});
