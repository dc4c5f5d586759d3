import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, In, IsNull, Repository } from 'typeorm';
import type { Role } from '../access/role';
import { isUniqueViolation } from '../common/database/unique-violation';
import { User } from './entities/user.entity';

/** What a mailed link may change about an account (see AccountTokensService.requireEpoch). */
export type CredentialChanges = Partial<Pick<User, 'passwordHash' | 'email' | 'emailVerifiedAt'>>;

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /**
   * New accounts always get exactly the `user` role (roles change only through the CLI) and start
   * unverified. Null when the email is taken: the unique index decides, so two simultaneous registrations
   * cannot both win.
   */
  async createUnlessTaken(email: string, passwordHash: string): Promise<User | null> {
    const user = this.users.create({ id: randomUUID(), email, passwordHash, roles: ['user'], emailVerifiedAt: null });
    try {
      return await this.users.save(user);
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email });
  }

  /** A new password also moves the credential epoch on: every mailed link issued before it dies. */
  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash, credentialEpoch: () => 'credential_epoch + 1' });
  }

  /**
   * A mailed link's change, inside the transaction that spends the link: applied only while the credential
   * epoch is still `boundEpoch` (when given), moving it on when `bump` (every other link dies). False when
   * the epoch had already moved on, so the caller rolls the spend back.
   */
  async changeCredentials(
    manager: EntityManager,
    id: string,
    changes: CredentialChanges,
    epoch: { bound?: number; bump: boolean },
  ): Promise<boolean> {
    const bump = epoch.bump ? { credentialEpoch: () => 'credential_epoch + 1' } : {};
    const bound = epoch.bound === undefined ? {} : { credentialEpoch: epoch.bound };
    const result = await manager
      .createQueryBuilder()
      .update(User)
      .set({ ...changes, ...bump })
      .where({ id, ...bound })
      .execute();
    return result.affected === 1;
  }

  /**
   * The session epoch a login read before its password check, held for the rest of `manager`'s transaction:
   * a conditional UPDATE that changes nothing, but on PostgreSQL holds the row until commit, so a password
   * change, logout-all or demotion racing the login either sees its new session or makes it fail. False
   * when the epoch has moved on: that login must not start a session.
   */
  async holdSessionEpoch(manager: EntityManager, id: string, sessionEpoch: number): Promise<boolean> {
    const held = await manager.update(User, { id, sessionEpoch }, { sessionEpoch });
    return held.affected === 1;
  }

  /** Every session of the user is ending: a login already past its password check can no longer start one. */
  async bumpSessionEpoch(id: string, manager: EntityManager = this.users.manager): Promise<void> {
    await manager.increment(User, { id }, 'sessionEpoch', 1);
  }

  /** The global cut-off (ASVS 5.0 7.4.5): every user's epoch moves on at once. */
  async bumpEverySessionEpoch(manager: EntityManager = this.users.manager): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(User)
      .set({ sessionEpoch: () => 'session_epoch + 1' })
      .execute();
  }

  /**
   * A still-unverified account registered again: the newer registration's password wins and every link
   * sent before dies (see RegistrationService.register).
   */
  async replacePendingPassword(id: string, passwordHash: string): Promise<void> {
    await this.users.update(
      { id, emailVerifiedAt: IsNull() },
      { passwordHash, credentialEpoch: () => 'credential_epoch + 1' },
    );
  }

  /** Roles change only here (the CLI); the caller audits and revokes the user's live access tokens. */
  async setRoles(id: string, roles: Role[]): Promise<void> {
    await this.users.update({ id }, { roles });
  }

  /** Disabled (a date) or enabled again (null); the caller ends sessions and audits. */
  async setDisabledAt(id: string, disabledAt: Date | null): Promise<void> {
    await this.users.update({ id }, { disabledAt });
  }

  /** Email by user id, for listings that name people (admin alerts); unknown ids are left out. */
  async emailsOf(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.users.find({ select: { id: true, email: true }, where: { id: In([...new Set(ids)]) } });
    return new Map(rows.map((row) => [row.id, row.email]));
  }

  async getById(id: string): Promise<User> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new NotFoundException('User not found');
    return user;
  }
}
