import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { Secret } from '../../common/decorators/secret.decorator';
import type { SigningAlgorithm } from '../jwt.config';

/**
 * next: published in the JWKS, not yet signing. active: signs (exactly one). retiring: verifies and stays
 * published until every token it signed has expired. retired: gone from the JWKS and from verification.
 */
export type KeyState = 'next' | 'active' | 'retiring' | 'retired';

@Entity('signing_keys')
@Index(['state'])
// The database, not the application, guarantees at most one active and one next key (migration 1764352800000-key-lifecycle).
@Index('signing_keys_one_active', ['state'], { unique: true, where: "state = 'active'" })
@Index('signing_keys_one_next', ['state'], { unique: true, where: "state = 'next'" })
export class SigningKey {
  /** RFC 7638 JWK thumbprint of the public key. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid!: string;

  /** The one algorithm this key was made for; the verifier never takes the token's word for it. */
  @Column({ type: 'varchar', length: 8 })
  alg!: SigningAlgorithm;

  @Column({ type: 'varchar', length: 16 })
  state!: KeyState;

  @Column({ name: 'public_jwk', type: 'simple-json' })
  publicJwk!: Record<string, string>;

  /** PKCS#8 DER, sealed with AES-256-GCM under KEY_ENCRYPTION_KEY (see KeyEncryption). */
  @Secret()
  @Column({ name: 'encrypted_private_key', type: 'text' })
  encryptedPrivateKey!: string;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'activated_at', type: Date, nullable: true })
  activatedAt!: Date | null;

  @Column({ name: 'deactivated_at', type: Date, nullable: true })
  deactivatedAt!: Date | null;

  /** When a retiring key stops verifying: deactivation + the longest access-token lifetime + leeway. */
  @Column({ name: 'retire_at', type: Date, nullable: true })
  retireAt!: Date | null;
}
