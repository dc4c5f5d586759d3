import type { Role } from '../../access/role';
import type { User } from '../entities/user.entity';

/** What a client may see of a user: never the password hash or revocation bookkeeping. */
export class UserResponseDto {
  id!: string;
  email!: string;
  roles!: Role[];

  static from(user: User): UserResponseDto {
    return { id: user.id, email: user.email, roles: user.roles };
  }
}

export class ProfileResponseDto extends UserResponseDto {
  createdAt!: string;
  emailVerified!: boolean;

  static override from(user: User): ProfileResponseDto {
    return {
      ...UserResponseDto.from(user),
      createdAt: user.createdAt.toISOString(),
      emailVerified: user.emailVerifiedAt !== null,
    };
  }
}
