import { MAX_STORED_TEXT_LENGTH, storedText } from './stored-text';

describe('storedText', () => {
  it('keeps ordinary text as it is', () => {
    expect(storedText('Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0')).toBe(
      'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
    );
    expect(storedText('jürgen 😀')).toBe('jürgen 😀');
  });

  it.each([
    ['a right-to-left override', 'admin\u202egpj.exe', 'admin\\u{202E}gpj.exe'],
    ['a zero-width space', 'ad\u200bmin', 'ad\\u{200B}min'],
    ['a C1 control (UTF-8 read as Latin-1)', 'â\u0080®', 'â\\u{80}®'],
    ['NUL and newline', 'a\u0000b\nc', 'a\\u{0}b\\u{A}c'],
  ])('writes out %s, so it shows instead of acting', (_case, input, expected) => {
    expect(storedText(input)).toBe(expected);
  });

  it('cuts long text to the limit, marking the cut', () => {
    const cut = storedText('x'.repeat(15_000));
    expect(cut).toHaveLength(MAX_STORED_TEXT_LENGTH);
    expect(cut.endsWith('x…')).toBe(true);
    expect(storedText('abcdef', 4)).toBe('abc…');
    expect(storedText('abcd', 4)).toBe('abcd');
  });

  it('never splits a surrogate pair', () => {
    const cut = storedText('a😀😀', 3);
    expect(cut).toBe('a…');
    expect(cut).not.toMatch(/[\ud800-\udfff]/u);
  });

  it('bounds the escaped form, not only the input', () => {
    expect(storedText('\u202e'.repeat(1000))).toHaveLength(MAX_STORED_TEXT_LENGTH);
  });
});
