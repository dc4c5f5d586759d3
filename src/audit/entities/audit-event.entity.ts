import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('audit_events')
@Index(['createdAt'])
@Index(['type', 'createdAt'])
@Index(['userId', 'createdAt'])
export class AuditEvent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId!: string | null;

  @Column({ name: 'session_id', type: 'varchar', length: 36, nullable: true })
  sessionId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'boolean' })
  success!: boolean;

  /** Specific cause (bad_password, expired, fingerprint_mismatch, ...): for operators, never for clients. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  reason!: string | null;

  /** How many events this row stands for: above 1 only for aggregated unauthenticated rejections. */
  @Column({ type: 'integer', default: 1 })
  count!: number;

  @Column({ type: 'simple-json', nullable: true })
  metadata!: object | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
