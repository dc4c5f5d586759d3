import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

/** A login: the family of refresh tokens it rotates through, and the `sid` claim of its access tokens. */
@Entity('sessions')
@Index(['userId'])
export class Session {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Deleting the user deletes these rows too (ON DELETE CASCADE in the database). */
  @ForeignKey(() => User, { onDelete: 'CASCADE' })
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 8 })
  transport!: 'cookie' | 'bearer';

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'created_ip', type: 'varchar', length: 64 })
  createdIp!: string;

  @Column({ name: 'created_user_agent', type: 'varchar', length: 512 })
  createdUserAgent!: string;

  @Column({ name: 'last_used_at', type: Date })
  lastUsedAt!: Date;

  @Column({ name: 'last_ip', type: 'varchar', length: 64 })
  lastIp!: string;

  @Column({ name: 'last_user_agent', type: 'varchar', length: 512 })
  lastUserAgent!: string;

  /**
   * The device binding (see device-binding.ts), fixed for the session's whole life: SHA-256 of the
   * browser's `__Host-fgp` cookie (null for bearer sessions) ...
   */
  @Column({ name: 'fingerprint_hash', type: 'varchar', length: 64, nullable: true })
  fingerprintHash!: string | null;

  /** ... and the User-Agent family it logged in with; null only for sessions older than the binding. */
  @Column({ name: 'user_agent_family', type: 'varchar', length: 64, nullable: true })
  userAgentFamily!: string | null;

  /** ... and for a DPoP client, the RFC 7638 thumbprint of its key; null for sessions without DPoP. */
  @Column({ name: 'dpop_jkt', type: 'varchar', length: 64, nullable: true })
  dpopJkt!: string | null;
  /**
   * Device Bound Session Credentials (src/dbsc): the public JWK the browser registered, and its algorithm.
   * Null until (and unless) the browser registers; from then on the session's access tokens carry `dbsc`
   * and need the short-lived bound cookie that only a proof signed with this key earns.
   */
  @Column({ name: 'dbsc_key', type: 'varchar', length: 2048, nullable: true })
  dbscKey!: string | null;

  @Column({ name: 'dbsc_alg', type: 'varchar', length: 8, nullable: true })
  dbscAlg!: string | null;

  /** Idle expiry: pushed forward by each refresh, never past `expiresAt`. */
  @Column({ name: 'idle_expires_at', type: Date })
  idleExpiresAt!: Date;

  /** Absolute expiry (SESSION_MAX_AGE): a stolen session cannot be kept alive forever by refreshing. */
  @Column({ name: 'expires_at', type: Date })
  expiresAt!: Date;

  /**
   * RFC 8176 authentication methods of the login (`pwd`, `otp`, `hwk`, `mfa`, ...), carried as `amr` by
   * every access token of the session; a step-up adds the method it used.
   */
  @Column({ type: 'simple-json', nullable: true })
  amr!: string[] | null;

  /** The last time the user proved who they are (login or step-up): the tokens' `auth_time`. */
  @Column({ name: 'authenticated_at', type: Date, nullable: true })
  authenticatedAt!: Date | null;

  @Column({ name: 'revoked_at', type: Date, nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 64, nullable: true })
  revokedReason!: string | null;
}
