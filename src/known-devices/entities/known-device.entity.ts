import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

/** A (browser family, network) pair a user has logged in from; the baseline for the new-device rule. */
@Entity('known_devices')
@Index(['userId', 'userAgentFamily', 'ipPrefix'], { unique: true })
export class KnownDevice {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Deleting the user deletes these rows too (ON DELETE CASCADE in the database). */
  @ForeignKey(() => User, { onDelete: 'CASCADE' })
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'user_agent_family', type: 'varchar', length: 64 })
  userAgentFamily!: string;

  @Column({ name: 'ip_prefix', type: 'varchar', length: 64 })
  ipPrefix!: string;

  @Column({ name: 'first_seen_at', type: Date })
  firstSeenAt!: Date;

  @Column({ name: 'last_seen_at', type: Date })
  lastSeenAt!: Date;
}
