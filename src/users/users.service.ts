import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, Repository } from 'typeorm';
import type { Role } from '../common/decorators/roles.decorator';
import { isUniqueViolation } from '../database/unique-violation';
import { User } from './entities/user.entity';

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** New accounts always get exactly the `user` role; roles change only through the CLI. */
  async create(email: string, passwordHash: string): Promise<User> {
    const user = this.users.create({ id: randomUUID(), email, passwordHash, roles: ['user'] });
    try {
      return await this.users.save(user);
    } catch (error) {
      // The unique index decides, so two simultaneous registrations cannot both win.
      if (isUniqueViolation(error)) {
        throw new ConflictException('An account with this email already exists');
      }
      throw error;
    }
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email });
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash });
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
