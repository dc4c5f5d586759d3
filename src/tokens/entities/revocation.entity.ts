import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type RevocationKind = 'token' | 'session' | 'user';

/**
 * A durable revocation: one access token (by jti), every token of a session (by sid), or every token of a
 * user issued before `issuedBefore`. Kept only until the last token it could affect has expired.
 */
@Entity('revocations')
@Index(['expiresAt'])
@Index(['createdAt'])
export class Revocation {
  @PrimaryColumn({ type: 'varchar', length: 8 })
  kind!: RevocationKind;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  subject!: string;

  /** For `user`: epoch seconds; tokens with an earlier `iat` are rejected. */
  @Column({ name: 'issued_before', type: 'integer', nullable: true })
  issuedBefore!: number | null;

  @Column({ name: 'expires_at', type: Date })
  expiresAt!: Date;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;
}
