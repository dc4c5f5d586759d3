import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { Secret } from '../../common/decorators/secret.decorator';
import { Session } from './session.entity';

/** One link of a session's rotation chain. Only the SHA-256 of the token is stored, never the token. */
@Entity('refresh_tokens')
@Index(['sessionId'])
@Index(['parentId'])
@Index(['expiresAt'])
export class RefreshToken {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Deleting the session deletes its tokens too (ON DELETE CASCADE in the database). */
  @ForeignKey(() => Session, { onDelete: 'CASCADE' })
  @Column({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId!: string;

  @Column({ name: 'parent_id', type: 'varchar', length: 36, nullable: true })
  parentId!: string | null;

  @Secret()
  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true })
  tokenHash!: string;

  @Column({ name: 'issued_at', type: Date })
  issuedAt!: Date;

  @Column({ name: 'expires_at', type: Date })
  expiresAt!: Date;

  /** Set once, atomically, when the token is spent; a second use is theft or a race, and is reuse. */
  @Column({ name: 'used_at', type: Date, nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'used_ip', type: 'varchar', length: 64, nullable: true })
  usedIp!: string | null;

  @Column({ name: 'used_user_agent', type: 'varchar', length: 512, nullable: true })
  usedUserAgent!: string | null;

  /** Replaced by a sibling during a REFRESH_REUSE_GRACE retry of its parent; presenting it is reuse. */
  @Column({ name: 'superseded_at', type: Date, nullable: true })
  supersededAt!: Date | null;

  /** When this token's one grace retry was taken; a second one is reuse. */
  @Column({ name: 'grace_used_at', type: Date, nullable: true })
  graceUsedAt!: Date | null;
}
