// Every HTTP test runs against an in-memory database with fixed, strong test-only secrets.
import { randomBytes } from 'node:crypto';

process.env.NODE_ENV = 'test';
process.env.DATABASE_URL ??= 'sqlite::memory:';
process.env.FINGERPRINT_SECRET = randomBytes(32).toString('base64url');
process.env.KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64url');
process.env.CSRF_SECRET = randomBytes(32).toString('base64url');
// The request rate limit is real-time and per IP; every test client is 127.0.0.1. Tests of the limit
// itself lower it again through createTestApp({ env }).
process.env.RATE_LIMIT_MAX = '1000000';
// Likewise the per-client limit on mail-sending requests (registrations); account tests set their own.
process.env.ACCOUNT_MAIL_MAX_PER_CLIENT = '1000000';
// Logs go to memory at full detail, so every test file also checks that no credential reaches them.
process.env.LOG_LEVEL ??= 'trace';
