import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

/** A user's authenticator app: at most one, usable only once confirmed with a first code. */
@Entity('totp_factors')
export class TotpFactor {
  @ForeignKey(() => User, { onDelete: 'CASCADE' })
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  /** The shared secret, sealed under KEY_ENCRYPTION_KEY (TotpSecrets): it must be read back, so it cannot be hashed. */
  @Column({ type: 'varchar', length: 128 })
  secret!: string;

  /** Null while enrolment waits for its first code; an unconfirmed factor never guards a login. */
  @Column({ name: 'confirmed_at', type: Date, nullable: true })
  confirmedAt!: Date | null;

  /** The last time step accepted: a code of this step or an earlier one is a replay (RFC 6238 §5.2). */
  @Column({ name: 'last_used_step', type: 'integer', nullable: true })
  lastUsedStep!: number | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
