import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

/** What a mailed link lets its holder do; a token of one purpose is useless for any other. */
export type AccountTokenPurpose = 'verify_email' | 'reset_password' | 'change_email' | 'undo_email_change';

/**
 * A single-use link token sent by mail. Only its SHA-256 is stored: a read of this table (a backup, an
 * injection) yields no usable link. It dies when used, when it expires, when a newer token of the same
 * purpose is issued (voided_at) and when the user's credential epoch moves on (password or email change).
 */
@Entity('account_tokens')
@Index(['userId', 'purpose'])
export class AccountToken {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @ForeignKey(() => User, { onDelete: 'CASCADE' })
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 32 })
  purpose!: AccountTokenPurpose;

  /** SHA-256 of the token, hex; the token itself has 256 random bits, so no salt or slow hash is needed. */
  @Index({ unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  /** users.credential_epoch when issued; the token is dead once they differ. */
  @Column({ name: 'credential_epoch', type: 'integer' })
  credentialEpoch!: number;

  /** The address the token is about: the one to verify, the new one to switch to, or the old one to restore. */
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: Date })
  expiresAt!: Date;

  @Column({ name: 'consumed_at', type: Date, nullable: true })
  consumedAt!: Date | null;

  /** Set when a newer token of the same purpose was issued to the same user. */
  @Column({ name: 'voided_at', type: Date, nullable: true })
  voidedAt!: Date | null;
}
