import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IsNull, LessThan, MoreThan, Repository } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { AuthChallenge, ChallengePurpose } from './entities/auth-challenge.entity';

/** Five minutes: enough to find the phone or touch the key, short enough that a stolen handle goes stale. */
export const CHALLENGE_TTL_SECONDS = 300;
/** Wrong codes one challenge absorbs before it dies (the account lockout counts them as well). */
export const CHALLENGE_MAX_FAILURES = 5;

export interface NewChallenge {
  purpose: ChallengePurpose;
  userId: string | null;
  transport: 'cookie' | 'bearer';
  binding: string;
  sessionEpoch?: number;
  webauthnChallenge?: string;
}

/** Why a presented challenge is refused; the client hears only "invalid or expired", the audit log this. */
export type ChallengeRefusal = 'unknown' | 'wrong_purpose' | 'expired' | 'consumed' | 'other_client';

export class ChallengeRefusedError extends Error {
  constructor(readonly reason: ChallengeRefusal) {
    super(`challenge refused: ${reason}`);
  }
}

/**
 * Single-use handles between the steps of a login, a passkey ceremony or a step-up. The client holds 256
 * random bits; the database holds only their SHA-256, so a database reader cannot complete a login.
 */
@Injectable()
export class ChallengeService {
  constructor(
    @InjectRepository(AuthChallenge) private readonly challenges: Repository<AuthChallenge>,
    private readonly clock: Clock,
  ) {}

  async issue(challenge: NewChallenge): Promise<{ handle: string; expiresAt: Date }> {
    const handle = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.clock.now().getTime() + CHALLENGE_TTL_SECONDS * 1000);
    await this.challenges.insert({
      handleHash: hashHandle(handle),
      purpose: challenge.purpose,
      userId: challenge.userId,
      transport: challenge.transport,
      binding: challenge.binding,
      sessionEpoch: challenge.sessionEpoch ?? null,
      webauthnChallenge: challenge.webauthnChallenge ?? null,
      failures: 0,
      expiresAt,
      consumedAt: null,
    });
    return { handle, expiresAt };
  }

  /**
   * The live challenge behind `handle`, if it was issued for this purpose to this client; nothing is spent.
   * `bindingOf` computes the presenting client's binding for the transport the challenge was issued to.
   */
  async find(
    handle: unknown,
    purpose: ChallengePurpose,
    bindingOf: (transport: AuthChallenge['transport']) => string,
  ): Promise<AuthChallenge> {
    const row = typeof handle === 'string' ? await this.challenges.findOneBy({ handleHash: hashHandle(handle) }) : null;
    if (!row) throw new ChallengeRefusedError('unknown');
    if (row.purpose !== purpose) throw new ChallengeRefusedError('wrong_purpose');
    if (row.consumedAt) throw new ChallengeRefusedError('consumed');
    if (row.expiresAt.getTime() <= this.clock.now().getTime()) throw new ChallengeRefusedError('expired');
    if (!sameString(row.binding, bindingOf(row.transport))) throw new ChallengeRefusedError('other_client');
    return row;
  }

  /** Spends the challenge; of two concurrent completions exactly one wins (a conditional UPDATE). */
  async consume(row: AuthChallenge): Promise<void> {
    const now = this.clock.now();
    const result = await this.challenges.update(
      { handleHash: row.handleHash, consumedAt: IsNull(), expiresAt: MoreThan(now) },
      { consumedAt: now },
    );
    if (result.affected !== 1) throw new ChallengeRefusedError('consumed');
  }

  async setWebauthnChallenge(row: AuthChallenge, webauthnChallenge: string): Promise<void> {
    await this.challenges.update({ handleHash: row.handleHash }, { webauthnChallenge });
  }

  /** Counts a wrong code; at the limit the challenge is spent, and the login starts over with the password. */
  async failed(row: AuthChallenge): Promise<void> {
    await this.challenges.increment({ handleHash: row.handleHash }, 'failures', 1);
    if (row.failures + 1 >= CHALLENGE_MAX_FAILURES) {
      await this.challenges.update({ handleHash: row.handleHash }, { consumedAt: this.clock.now() });
    }
  }

  /** Expired rows are useless; the session purge job calls this so the table stays small. */
  async purgeExpired(): Promise<number> {
    const result = await this.challenges.delete({ expiresAt: LessThan(this.clock.now()) });
    return result.affected ?? 0;
  }
}

function hashHandle(handle: string): string {
  return createHash('sha256').update(handle).digest('hex');
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
