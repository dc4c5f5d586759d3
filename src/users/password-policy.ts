import { registerDecorator, ValidationOptions } from 'class-validator';
import { COMMON_PASSWORDS, COMMON_STEMS } from './password-screening/common-passwords.data';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** The product's own name: the first word an attacker tries against a Warden deployment (ASVS 5.0 6.2.11). */
export const PRODUCT_CONTEXT_WORDS = ['warden'];

const commonPasswords = new Set(COMMON_PASSWORDS);
const commonStems = new Set(COMMON_STEMS);

/**
 * NIST SP 800-63B §3.1.1.2 and ASVS 5.0 6.2.4: refuse values known to be commonly used. Three rules:
 * one of the 5,000 most frequent passwords of the allowed length (SecLists, shipped offline), a common
 * word dressed up with digits and symbols (`iloveyou2025`, `Summer2024!!`), or one character repeated.
 */
export function isCommonPassword(password: string): boolean {
  const normalized = password.toLowerCase();
  if (commonPasswords.has(normalized) || /^(.)\1+$/.test(normalized)) return true;
  const dressed = /^([a-z]+)[^a-z]+$/.exec(normalized);
  return dressed !== null && commonStems.has(dressed[1]);
}

/**
 * ASVS 5.0 6.2.11: the context word (the product's name, or a part of the user's own email of 4+
 * characters) found in the password, or null. Case, digits and symbols are ignored: `Warden-2026!` and
 * `W.a.r.d.e.n` are caught. Email parts are looked for within each run of letters, so that joining two
 * innocent words (`lighthouse-ridge`) does not spell one (`user`).
 */
export function contextWordIn(password: string, email: string): string | null {
  const lower = password.toLowerCase();
  const joined = lower.replace(/[^a-z]/g, '');
  const runs = lower.split(/[^a-z]+/);
  const [local = '', domain = ''] = email.toLowerCase().split('@');
  const wholeLocal = local.replace(/[^a-z]/g, '');
  const joinedWords = [...PRODUCT_CONTEXT_WORDS, ...(wholeLocal.length >= 6 ? [wholeLocal] : [])];
  const found = joinedWords.find((word) => joined.includes(word));
  if (found) return found;
  const parts = [
    ...local.split(/[^a-z]+/),
    ...domain
      .split('.')
      .slice(0, -1)
      .flatMap((label) => label.split(/[^a-z]+/)),
  ];
  return parts.filter((part) => part.length >= 4).find((part) => runs.some((run) => run.includes(part))) ?? null;
}

export function IsNotCommonPassword(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNotCommonPassword',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property is too common; choose a less guessable password', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && !isCommonPassword(value) },
    });
}
