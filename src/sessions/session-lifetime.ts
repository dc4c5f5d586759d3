import type { Session } from './entities/session.entity';

/** Not revoked, and within both its absolute and its idle lifetime. */
export function isAlive(session: Session, now: Date): boolean {
  return session.revokedAt === null && session.expiresAt > now && session.idleExpiresAt > now;
}

/** REFRESH_TOKEN_TTL from now (each refresh moves it on), never past the session's absolute end. */
export function idleExpiry(now: Date, absolute: Date, refreshTokenTtlSeconds: number): Date {
  const idle = after(now, refreshTokenTtlSeconds);
  return idle < absolute ? idle : absolute;
}

export function after(now: Date, seconds: number): Date {
  return new Date(now.getTime() + seconds * 1000);
}
