import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type ChallengePurpose = 'second_factor' | 'passkey_login' | 'passkey_registration' | 'step_up';

/**
 * A short-lived, single-use challenge between two requests: the password step and the second-factor step
 * of a login, a passkey ceremony, or a step-up. Bound to the client that asked (`binding`) and, once
 * consumed, dead; the row is looked up by the SHA-256 of the handle the client holds.
 */
@Entity('auth_challenges')
@Index(['expiresAt'])
export class AuthChallenge {
  @PrimaryColumn({ name: 'handle_hash', type: 'varchar', length: 64 })
  handleHash!: string;

  @Column({ type: 'varchar', length: 32 })
  purpose!: ChallengePurpose;

  /** Null for a discoverable passkey sign-in, where the credential names the user. */
  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId!: string | null;

  @Column({ type: 'varchar', length: 8 })
  transport!: 'cookie' | 'bearer';

  /** HMAC of the client's binding factors (fingerprint cookie or IP, and User-Agent), as for access tokens. */
  @Column({ type: 'varchar', length: 64 })
  binding!: string;

  /** The user's session epoch at the password step: a password change or logout-all in between kills the login. */
  @Column({ name: 'session_epoch', type: 'integer', nullable: true })
  sessionEpoch!: number | null;

  /** The WebAuthn challenge sent to the authenticator, for passkey ceremonies. */
  @Column({ name: 'webauthn_challenge', type: 'varchar', length: 128, nullable: true })
  webauthnChallenge!: string | null;

  /** Wrong codes against this challenge; it dies at the limit. */
  @Column({ type: 'integer', default: 0 })
  failures!: number;

  @Column({ name: 'expires_at', type: Date })
  expiresAt!: Date;

  @Column({ name: 'consumed_at', type: Date, nullable: true })
  consumedAt!: Date | null;
}
