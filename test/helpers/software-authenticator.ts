import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A WebAuthn authenticator in software, written from the spec (W3C WebAuthn Level 2 §6.1, §6.5, §8.7) with
 * node:crypto and a small CBOR encoder, independent of @simplewebauthn: it answers the server's options
 * with real attestation (`none`) and assertion responses, signed with its own P-256 key, as a browser
 * would send them.
 */
export class SoftwareAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private signCount = 0;
  private userHandle = '';

  constructor(
    readonly origin: string,
    readonly rpId: string,
    /** Whether the user verification flag (PIN, biometric) is set. */
    readonly userVerifies = true,
  ) {}

  get id(): string {
    return this.credentialId.toString('base64url');
  }

  /** navigator.credentials.create(): a new key pair scoped to the RP, attestation format `none`. */
  register(options: { challenge: string; rp: { id?: string }; user: { id: string } }, origin = this.origin) {
    this.userHandle = options.user.id;
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, origin);
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    // RFC 9053 / WebAuthn §6.5.1.1: EC2 key, ES256, P-256.
    const cosePublicKey = cbor(
      new Map<number, unknown>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attestedCredentialData = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, cosePublicKey]);
    const authData = this.authenticatorData(0x40, attestedCredentialData);
    const attestationObject = cbor(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        attestationObject: attestationObject.toString('base64url'),
        transports: ['internal' as const],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform' as const,
    };
  }

  /** navigator.credentials.get(): signs authenticatorData || SHA-256(clientDataJSON) (WebAuthn §6.3.3). */
  assert(
    options: { challenge: string; allowCredentials?: Array<{ id: string }> },
    overrides: { origin?: string; signWith?: KeyObject; signCount?: number } = {},
  ) {
    const allowed = options.allowCredentials ?? [];
    if (allowed.length > 0 && !allowed.some((credential) => credential.id === this.id)) {
      throw new Error('this authenticator holds none of the allowed credentials');
    }
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, overrides.origin ?? this.origin);
    this.signCount = overrides.signCount ?? this.signCount + 1;
    const authData = this.authenticatorData(0, Buffer.alloc(0));
    const signature = sign(
      'sha256',
      Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]),
      overrides.signWith ?? this.keys.privateKey,
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        userHandle: this.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform' as const,
    };
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** rpIdHash (32) | flags (UP, UV, AT) | signCount (4, big-endian) | attested credential data. */
  private authenticatorData(extraFlags: number, attested: Buffer): Buffer {
    const flags = 0x01 | (this.userVerifies ? 0x04 : 0) | extraFlags;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.signCount);
    const rpIdHash = createHash('sha256').update(this.rpId).digest();
    return Buffer.concat([rpIdHash, Buffer.from([flags]), counter, attested]);
  }
}

/** RFC 8949 deterministic encoding of the few types WebAuthn needs: integers, strings, byte strings, maps. */
function cbor(value: unknown): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (value instanceof Map) {
    const parts = [head(5, value.size)];
    for (const [key, item] of value) parts.push(cbor(key), cbor(item));
    return Buffer.concat(parts);
  }
  throw new Error(`cannot encode ${typeof value}`);
}

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
  const out = Buffer.alloc(5);
  out[0] = (major << 5) | 26;
  out.writeUInt32BE(length, 1);
  return out;
}
