import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { Session } from '../../sessions/entities/session.entity';

/**
 * A single-use DBSC challenge (the `jti` a proof must carry), stored as its SHA-256 so the table holds
 * nothing a proof could be built from. Deleting the row is what consumes it.
 */
@Entity('dbsc_challenges')
@Index(['sessionId'])
export class DbscChallenge {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @ForeignKey(() => Session, { onDelete: 'CASCADE' })
  @Column({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId!: string;

  @Column({ name: 'expires_at', type: Date })
  expiresAt!: Date;
}
