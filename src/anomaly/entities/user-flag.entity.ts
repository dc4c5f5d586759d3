import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

/**
 * A user an anomaly rule marked for an admin's closer look (e.g. after refresh-token reuse). Persistent, so
 * the mark survives restarts and shows beside the user's alerts in GET /api/admin/alerts.
 */
@Entity('user_flags')
@Index(['userId'])
export class UserFlag {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Deleting the user deletes these rows too (ON DELETE CASCADE in the database). */
  @ForeignKey(() => User, { onDelete: 'CASCADE' })
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  /** The rule that flagged the user, e.g. refresh_token_reuse. */
  @Column({ type: 'varchar', length: 64 })
  reason!: string;

  @Column({ name: 'alert_id', type: 'varchar', length: 36 })
  alertId!: string;

  @Column({ name: 'flagged_at', type: Date })
  flaggedAt!: Date;
}
