import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

/** One single-use recovery code, stored as a SHA-256 hash (the code is 80 random bits, shown once). */
@Entity('recovery_codes')
@Index(['userId'])
export class RecoveryCode {
  @PrimaryColumn({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash!: string;

  @ForeignKey(() => User, { onDelete: 'CASCADE' })
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'used_at', type: Date, nullable: true })
  usedAt!: Date | null;
}
