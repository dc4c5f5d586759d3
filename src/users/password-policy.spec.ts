import { COMMON_PASSWORDS, COMMON_STEMS } from './password-screening/common-passwords.data';
import { contextWordIn, isCommonPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-policy';

describe('password policy', () => {
  it('ships at least 3,000 common passwords, all of the allowed length', () => {
    expect(COMMON_PASSWORDS.length).toBeGreaterThanOrEqual(3000);
    const outside = COMMON_PASSWORDS.filter((p) => p.length < PASSWORD_MIN_LENGTH || p.length > PASSWORD_MAX_LENGTH);
    expect(outside).toEqual([]);
    expect(COMMON_STEMS).toContain('iloveyou');
  });

  it.each([
    ['the most frequent of the list', COMMON_PASSWORDS[0]],
    ['the least frequent of the list', COMMON_PASSWORDS[COMMON_PASSWORDS.length - 1]],
    ['a listed password in capitals', '1QAZ2WSX3EDC'],
    ['a common word and a year', 'iloveyou2025'],
    ['a common word, a year and symbols', 'Summer2024!!'],
    ['password and digits', 'password123456'],
    ['one character repeated', 'zzzzzzzzzzzzzz'],
  ])('refuses %s', (_case, password) => {
    expect(isCommonPassword(password)).toBe(true);
  });

  it.each([
    ['a passphrase', 'violet-harbor-tundra-42'],
    ['a common word inside a longer phrase', 'iloveyou-said-the-heron'],
    ['random characters', 'x7#Lq9!vR2@mK'],
  ])('accepts %s', (_case, password) => {
    expect(isCommonPassword(password)).toBe(false);
  });

  it.each([
    ['the product name', 'warden123456', 'a@b.test', 'warden'],
    ['the product name in disguise', 'W-a-r-d-e-n-2026!', 'a@b.test', 'warden'],
    ['the whole local part', 'jdoe.smith!2026', 'jdoe.smith@mail.test', 'jdoesmith'],
    ['one part of the local part', 'Smithereens-77', 'jane.smith@mail.test', 'smith'],
    ['the domain name', 'acmecorp-gate-19', 'jane@acmecorp.example', 'acmecorp'],
  ])('finds %s as a context word', (_case, password, email, word) => {
    expect(contextWordIn(password, email)).toBe(word);
  });

  it('does not spell an email part across two words', () => {
    expect(contextWordIn('saffron-lighthouse-ridge-31', 'user-1234@example.test')).toBeNull();
  });

  it('ignores short email parts and the top-level domain', () => {
    expect(contextWordIn('violet-harbor-tundra-42', 'jo@ex.com')).toBeNull();
    expect(contextWordIn('combination-lock-42', 'jo.li@ex.com')).toBeNull();
  });
});
