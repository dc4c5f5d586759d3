import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager, IsNull, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { User } from '../users/entities/user.entity';
import { CredentialChanges, UsersService } from '../users/users.service';
import { AccountToken, AccountTokenPurpose } from './entities/account-token.entity';

/** 32 random bytes, base64url: 43 characters. Anything else is refused before any lookup. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/**
 * An undo link is the owner's way back after someone else changed their address, so nothing that someone
 * can do next may kill it: neither a newer undo token (a second change) nor a password change.
 */
export const SURVIVES_CREDENTIAL_CHANGES: ReadonlySet<AccountTokenPurpose> = new Set(['undo_email_change']);

/** One answer for every dead link, so the response says nothing about why (the audit log does). */
export const INVALID_LINK = 'This link is invalid, has expired or was already used; ask for a new one';

export type TokenRefusal = 'malformed' | 'unknown' | 'wrong_purpose' | 'reused' | 'superseded' | 'expired' | 'stale';

/** Thrown inside a consumption to roll it back: the token stays unspent. */
export class TokenRefused extends Error {
  constructor(readonly reason: TokenRefusal) {
    super(reason);
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

@Injectable()
export class AccountTokensService {
  /** SQLite has one connection: transactions started while another runs would nest in it, so they queue. */
  private sqliteTail: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectRepository(AccountToken) private readonly tokens: Repository<AccountToken>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * A fresh token for `user`, bound to the credential epoch the database holds now (not the caller's
   * possibly older copy). Every unspent token of the same purpose is voided first: only the newest link
   * works (except SURVIVES_CREDENTIAL_CHANGES).
   */
  async issue(user: User, purpose: AccountTokenPurpose, email: string, ttlSeconds: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.transaction(async (manager) => {
      const { credentialEpoch } = await manager.findOneOrFail(User, {
        select: { id: true, credentialEpoch: true },
        where: { id: user.id },
      });
      if (!SURVIVES_CREDENTIAL_CHANGES.has(purpose)) {
        await manager.update(
          AccountToken,
          { userId: user.id, purpose, consumedAt: IsNull(), voidedAt: IsNull() },
          { voidedAt: now },
        );
      }
      await manager.insert(AccountToken, {
        id: randomUUID(),
        userId: user.id,
        purpose,
        tokenHash: hashToken(token),
        credentialEpoch,
        email,
        createdAt: now,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
        consumedAt: null,
        voidedAt: null,
      });
    });
    return token;
  }

  /**
   * Spends the token and runs `apply` in the same transaction. The spend is a conditional UPDATE, so of two
   * concurrent uses exactly one wins. `apply` must make its user update conditional on the token's epoch
   * (see `requireEpoch`) and throw TokenRefused('stale') when it no longer holds; everything rolls back.
   * Every refusal is audited (`account_token_refused`) and answered with the same 400.
   */
  async consume<T>(
    presented: unknown,
    purpose: AccountTokenPurpose,
    client: ClientInfo,
    apply: (manager: EntityManager, token: AccountToken) => Promise<T>,
  ): Promise<T> {
    let token: AccountToken | null = null;
    try {
      if (typeof presented !== 'string' || !TOKEN_FORMAT.test(presented)) throw new TokenRefused('malformed');
      token = await this.tokens.findOneBy({ tokenHash: hashToken(presented) });
      if (!token) throw new TokenRefused('unknown');
      if (token.purpose !== purpose) throw new TokenRefused('wrong_purpose');
      if (token.consumedAt) throw new TokenRefused('reused');
      if (token.voidedAt) throw new TokenRefused('superseded');
      const now = this.clock.now();
      if (token.expiresAt <= now) throw new TokenRefused('expired');
      const found = token;
      return await this.transaction(async (manager) => {
        const spent = await manager.update(
          AccountToken,
          { id: found.id, consumedAt: IsNull(), voidedAt: IsNull() },
          { consumedAt: now },
        );
        if (spent.affected !== 1) throw new TokenRefused('reused');
        return apply(manager, found);
      });
    } catch (error) {
      if (!(error instanceof TokenRefused)) throw error;
      this.audit.record({
        type: 'account_token_refused',
        success: false,
        userId: token?.userId,
        client,
        reason: error.reason,
        metadata: { purpose, ...(token && token.purpose !== purpose ? { tokenPurpose: token.purpose } : {}) },
      });
      throw new BadRequestException(INVALID_LINK);
    }
  }

  /**
   * Removes tokens that can never be used again. Kept a day past their end, so a late click is still
   * audited as `expired` or `reused` rather than `unknown`.
   */
  async purgeDead(): Promise<number> {
    const dayAgo = new Date(this.clock.now().getTime() - 86_400_000);
    const result = await this.tokens
      .createQueryBuilder()
      .delete()
      .where('expires_at < :dayAgo OR consumed_at < :dayAgo OR voided_at < :dayAgo', { dayAgo })
      .execute();
    return result.affected ?? 0;
  }

  private transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dataSource.options.type !== 'better-sqlite3') return this.dataSource.transaction(work);
    const run = this.sqliteTail.then(() => this.dataSource.transaction(work));
    this.sqliteTail = run.catch(() => undefined);
    return run;
  }

  /**
   * The user update every consumption makes: only while the credential epoch is the token's (unless the
   * purpose survives credential changes), moving it on when `bump`: a password or address change kills
   * every other link.
   */
  async requireEpoch(
    manager: EntityManager,
    token: AccountToken,
    changes: CredentialChanges,
    bump: boolean,
  ): Promise<void> {
    const bound = SURVIVES_CREDENTIAL_CHANGES.has(token.purpose) ? undefined : token.credentialEpoch;
    if (!(await this.users.changeCredentials(manager, token.userId, changes, { bound, bump }))) {
      throw new TokenRefused('stale');
    }
  }
}
