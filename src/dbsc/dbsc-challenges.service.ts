import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { Repository } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { DbscChallenge } from './entities/dbsc-challenge.entity';
import { ProofRejectedError } from './dbsc-proof';

/** Long enough for a TPM signature and a round trip (P95 ~600 ms), short enough to be useless when lifted. */
const CHALLENGE_TTL_MS = 5 * 60_000;

@Injectable()
export class DbscChallengesService {
  constructor(
    @InjectRepository(DbscChallenge) private readonly challenges: Repository<DbscChallenge>,
    private readonly clock: Clock,
  ) {}

  async issue(sessionId: string): Promise<string> {
    const challenge = randomBytes(32).toString('base64url');
    await this.challenges.insert({
      id: challengeId(challenge),
      sessionId,
      expiresAt: new Date(this.clock.now().getTime() + CHALLENGE_TTL_MS),
    });
    return challenge;
  }

  /**
   * Consumes a challenge and returns the session it was issued to. The DELETE is the consumption: of two
   * concurrent proofs with one challenge (SQLite or PostgreSQL alike), only the one whose DELETE removed
   * the row goes on. A challenge issued to another session is refused without being spent.
   */
  async consume(challenge: string, sessionId?: string): Promise<string> {
    const id = challengeId(challenge);
    const row = await this.challenges.findOneBy({ id });
    if (!row || (sessionId !== undefined && row.sessionId !== sessionId)) {
      throw new ProofRejectedError('challenge_unknown', sessionId);
    }
    const deleted = await this.challenges.delete({ id, sessionId: row.sessionId });
    if (deleted.affected !== 1) throw new ProofRejectedError('challenge_unknown', row.sessionId);
    if (row.expiresAt <= this.clock.now()) throw new ProofRejectedError('challenge_expired', row.sessionId);
    return row.sessionId;
  }
}

function challengeId(challenge: string): string {
  return createHash('sha256').update(challenge).digest('hex');
}
