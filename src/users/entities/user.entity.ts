import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Secret } from '../../common/decorators/secret.decorator';
import type { Role } from '../../access/role';

@Entity('users')
export class User {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Stored lower-cased, so uniqueness is case-insensitive on every database. */
  @Column({ type: 'varchar', length: 254, unique: true })
  email!: string;

  @Secret()
  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'simple-json' })
  roles!: Role[];

  /**
   * Bumped whenever every session of the user must end (password change, logout-all, role change). A login
   * whose password check began under an older epoch cannot start a session (see SessionStartService.start).
   */
  @Column({ name: 'session_epoch', type: 'integer', default: 0 })
  sessionEpoch!: number;

  /** Null until the owner follows the verification link (see UNVERIFIED_LOGIN for what they may do before). */
  @Column({ name: 'email_verified_at', type: Date, nullable: true })
  emailVerifiedAt!: Date | null;

  /**
   * Bumped when the password or the email changes. Mailed links (AccountToken) carry the epoch they were
   * issued under and die once it moves on.
   */
  @Column({ name: 'credential_epoch', type: 'integer', default: 0 })
  credentialEpoch!: number;

  /** Set by an admin (API or CLI): the account's sessions are ended and logins refused until re-enabled. */
  @Column({ name: 'disabled_at', type: Date, nullable: true })
  disabledAt!: Date | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
