import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

/** A WebAuthn credential (passkey) registered by a user. */
@Entity('passkeys')
@Index(['userId'])
export class Passkey {
  /** The credential id, base64url, as the authenticator chose it. */
  @PrimaryColumn({ type: 'varchar', length: 1400 })
  id!: string;

  @ForeignKey(() => User, { onDelete: 'CASCADE' })
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** COSE public key, base64url. */
  @Column({ name: 'public_key', type: 'text' })
  publicKey!: string;

  /** WebAuthn §6.1.1 signature counter: a counter that goes backwards betrays a cloned authenticator. */
  @Column({ type: 'integer' })
  counter!: number;

  @Column({ type: 'simple-json' })
  transports!: string[];

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: Date, nullable: true })
  lastUsedAt!: Date | null;
}
