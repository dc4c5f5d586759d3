import { isCanonicalBase64url, isCanonicalCompactJws } from './compact-jws';

describe('isCanonicalBase64url', () => {
  it.each([[''], ['AA'], ['AAA'], ['AAAA'], ['eyJhbGciOiJFUzI1NiJ9'], ['-_-_']])('accepts %p', (segment) => {
    expect(isCanonicalBase64url(segment)).toBe(true);
  });

  it.each([
    ['AB', 'non-zero unused bits after one byte'],
    ['AAB', 'non-zero unused bits after two bytes'],
    ['AA==', 'padding'],
    ['A', 'a length that encodes no whole byte'],
    ['AA+/', 'the base64 (not base64url) alphabet'],
    ['AA AA', 'whitespace'],
  ])('refuses %p (%s)', (segment) => {
    expect(isCanonicalBase64url(segment)).toBe(false);
  });
});

describe('isCanonicalCompactJws', () => {
  it('needs exactly three canonical segments', () => {
    expect(isCanonicalCompactJws('AA.AA.AA')).toBe(true);
    expect(isCanonicalCompactJws('AA.AA')).toBe(false);
    expect(isCanonicalCompactJws('AA.AA.AA.AA')).toBe(false);
    expect(isCanonicalCompactJws('AB.AA.AA')).toBe(false);
    expect(isCanonicalCompactJws('AA.AB.AA')).toBe(false);
    expect(isCanonicalCompactJws('AA.AA.AB')).toBe(false);
  });
});
