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
 * characters) found in the password, or null. Compared without case, digits and symbols, so
 * `Warden-2026!` and `J.Doe.Example` are caught.
 */
export function contextWordIn(password: string, email: string): string | null {
  const letters = password.toLowerCase().replace(/[^a-z]/g, '');
  const [local = '', domain = ''] = email.toLowerCase().split('@');
  const domainLabels = domain.split('.').slice(0, -1);
  const words = [...PRODUCT_CONTEXT_WORDS, local, ...local.split(/[^a-z]+/), ...domainLabels]
    .map((word) => word.replace(/[^a-z]/g, ''))
    .filter((word) => word.length >= 4);
  return words.find((word) => letters.includes(word)) ?? null;
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
