import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { Repository } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { mfaConfig } from './mfa.config';
import { Passkey } from './entities/passkey.entity';

/** Enough for every device a person owns, few enough that one account cannot fill the table. */
export const MAX_PASSKEYS_PER_USER = 20;
const RP_NAME = 'Warden';
/** A credential id as the client sends it (base64url); anything else names no passkey (and never reaches SQL). */
const CREDENTIAL_ID = /^[A-Za-z0-9_-]{1,1400}$/;
const CEREMONY_TIMEOUT_MS = 300_000;

export interface PasskeyAssertion {
  userId: string;
  passkeyId: string;
  userVerified: boolean;
}

/**
 * WebAuthn through @simplewebauthn/server: it checks the challenge, origin, RP ID hash, flags, signature
 * and counter; this service chooses the options and keeps the credentials.
 */
@Injectable()
export class PasskeyService {
  constructor(
    @InjectRepository(Passkey) private readonly passkeys: Repository<Passkey>,
    @Inject(mfaConfig.KEY) private readonly config: ConfigType<typeof mfaConfig>,
    private readonly clock: Clock,
  ) {}

  hasAny(userId: string): Promise<boolean> {
    return this.passkeys.existsBy({ userId });
  }

  list(userId: string): Promise<Passkey[]> {
    return this.passkeys.find({ where: { userId }, order: { createdAt: 'ASC' } });
  }

  /** Discoverable credentials (resident keys), so the same passkey can later sign in without an email. */
  async registrationOptions(user: { id: string; email: string }): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.list(user.id);
    if (existing.length >= MAX_PASSKEYS_PER_USER) {
      throw new BadRequestException(`At most ${MAX_PASSKEYS_PER_USER} passkeys per account; remove one first`);
    }
    return generateRegistrationOptions({
      rpName: RP_NAME,
      rpID: this.config.webauthn.rpId,
      userName: user.email,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      timeout: CEREMONY_TIMEOUT_MS,
      excludeCredentials: existing.map((passkey) => ({ id: passkey.id, transports: this.transportsOf(passkey) })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
  }

  async register(
    userId: string,
    expectedChallenge: string,
    response: RegistrationResponseJSON,
    name: string,
  ): Promise<Passkey> {
    const verification = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: this.config.webauthn.origins,
      expectedRPID: this.config.webauthn.rpId,
      // Registration asks for verification but does not demand it (security keys without a PIN work as a
      // second factor); signing in with the passkey alone does demand it.
      requireUserVerification: false,
    }).catch((error: Error) => {
      throw new BadRequestException(`The passkey registration was not accepted: ${error.message}`);
    });
    if (!verification.verified) throw new BadRequestException('The passkey registration was not accepted');
    const { credential } = verification.registrationInfo;
    if (await this.passkeys.existsBy({ id: credential.id })) {
      throw new BadRequestException('This passkey is already registered');
    }
    const passkey = this.passkeys.create({
      id: credential.id,
      userId,
      name,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: credential.transports ?? [],
      createdAt: this.clock.now(),
      lastUsedAt: null,
    });
    await this.passkeys.insert(passkey);
    return passkey;
  }

  /**
   * For a known user (second factor, step-up) the allowed credentials are theirs; for a passkey sign-in
   * none are listed and the authenticator offers its discoverable ones, which then must verify the user.
   */
  async authenticationOptions(userId: string | null): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const allowCredentials = userId
      ? (await this.list(userId)).map((passkey) => ({ id: passkey.id, transports: this.transportsOf(passkey) }))
      : undefined;
    return generateAuthenticationOptions({
      rpID: this.config.webauthn.rpId,
      allowCredentials,
      timeout: CEREMONY_TIMEOUT_MS,
      userVerification: userId ? 'preferred' : 'required',
    });
  }

  /** The passkey's owner when the assertion verifies (and belongs to `userId`, when one is expected), else null. */
  async authenticate(
    expectedChallenge: string,
    response: AuthenticationResponseJSON,
    userId: string | null,
  ): Promise<PasskeyAssertion | null> {
    const id = typeof response?.id === 'string' && CREDENTIAL_ID.test(response.id) ? response.id : null;
    const passkey = id ? await this.passkeys.findOneBy({ id }) : null;
    if (!passkey || (userId !== null && passkey.userId !== userId)) return null;
    const verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: this.config.webauthn.origins,
      expectedRPID: this.config.webauthn.rpId,
      credential: {
        id: passkey.id,
        publicKey: Buffer.from(passkey.publicKey, 'base64url'),
        counter: passkey.counter,
        transports: this.transportsOf(passkey),
      },
      // A passkey alone must be two factors in one: something you have, unlocked by something you know or are.
      requireUserVerification: userId === null,
    }).catch(() => null);
    if (!verification?.verified) return null;
    // The library refuses a counter that did not grow (a cloned authenticator); store the new one.
    await this.passkeys.update(
      { id: passkey.id },
      { counter: verification.authenticationInfo.newCounter, lastUsedAt: this.clock.now() },
    );
    return {
      userId: passkey.userId,
      passkeyId: passkey.id,
      userVerified: verification.authenticationInfo.userVerified,
    };
  }

  async rename(userId: string, id: string, name: string): Promise<Passkey> {
    const passkey = CREDENTIAL_ID.test(id) ? await this.passkeys.findOneBy({ id, userId }) : null;
    if (!passkey) throw new NotFoundException('No such passkey');
    await this.passkeys.update({ id, userId }, { name });
    return { ...passkey, name };
  }

  async remove(userId: string, id: string): Promise<void> {
    if (!CREDENTIAL_ID.test(id)) throw new NotFoundException('No such passkey');
    const result = await this.passkeys.delete({ id, userId });
    if (!result.affected) throw new NotFoundException('No such passkey');
  }

  private transportsOf(passkey: Passkey): AuthenticatorTransportFuture[] {
    return passkey.transports as AuthenticatorTransportFuture[];
  }
}
