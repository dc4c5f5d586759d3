import type { Session } from '../entities/session.entity';

export class SessionResponseDto {
  id!: string;
  createdAt!: string;
  lastUsedAt!: string;
  userAgent!: string;
  ip!: string;
  current!: boolean;

  static from(session: Session, currentSessionId: string): SessionResponseDto {
    return {
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      userAgent: session.lastUserAgent,
      ip: session.lastIp,
      current: session.id === currentSessionId,
    };
  }
}
