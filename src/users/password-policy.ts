import { registerDecorator, ValidationOptions } from 'class-validator';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * Passwords of 12+ characters that still top breach lists (NIST SP 800-63B §5.1.1.2: refuse values known
 * to be commonly used). Small on purpose; a product would check a breach corpus such as HIBP's k-anonymity API.
 */
const COMMON_PASSWORDS = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456123456',
  '123123123123',
  '111111111111',
  '000000000000',
  '121212121212',
  '123321123321',
  '987654321098',
  '147258369147',
  '1q2w3e4r5t6y',
  '1qaz2wsx3edc',
  'qwertyuiopas',
  'qwertyuiop12',
  'qwerty123456',
  'qwertyqwerty',
  'asdfghjkl123',
  'zxcvbnm12345',
  'qazwsxedcrfv',
  'password1234',
  'password12345',
  'password123456',
  'passwordpassword',
  'password123!',
  'password!123',
  'p@ssw0rd1234',
  'passw0rd1234',
  'iloveyou1234',
  'iloveyouiloveyou',
  'letmein12345',
  'welcome12345',
  'welcome123456',
  'administrator',
  'administrator1',
  'admin1234567',
  'adminadmin123',
  'changeme1234',
  'changemenow!',
  'football1234',
  'baseball1234',
  'basketball12',
  'superman1234',
  'batman123456',
  'starwars1234',
  'princess1234',
  'sunshine1234',
  'monkey123456',
  'dragon123456',
  'shadow123456',
  'master123456',
  'michael12345',
  'jennifer1234',
  'trustno11234',
  'abcdefghijkl',
  'abcdef123456',
  'abc123abc123',
  'aaaaaaaaaaaa',
  'qwerty1234567',
  'computer1234',
  'internet1234',
  'whatever1234',
  'freedom12345',
  'secret123456',
  'mypassword12',
  'mypassword123',
  'thisisapassword',
  'correcthorsebatterystaple',
  'summer2024!!',
  'winter2024!!',
  'spring2024!!',
  'autumn2024!!',
  'summer20242024',
  'welcome2024!',
  'welcome2025!',
  'welcome2026!',
  'password2024',
  'password2025',
  'password2026',
  'qwerty2024!!',
  'letmeinplease',
  'opensesame123',
  'unbelievable',
]);

export function isCommonPassword(password: string): boolean {
  const normalized = password.toLowerCase();
  return COMMON_PASSWORDS.has(normalized) || /^(.)\1+$/.test(normalized);
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
