import { exportJWK, generateKeyPair, type CryptoKey, type JWK, SignJWT } from 'jose';
import type { Response, Test } from 'supertest';
import type { TestApp } from './test-app';

/**
 * A browser's side of Device Bound Session Credentials, written from the W3C draft
 * (https://w3c.github.io/webappsec-dbsc/) and not from Warden's code: an ES256 key per session, the
 * registration proof (`dbsc+jwt`, public key in the `jwk` header, the challenge as `jti`), and the refresh
 * dance (`Sec-Secure-Session-Id`, a 403 with `Secure-Session-Challenge`, a proof in
 * `Secure-Session-Response`). Structured-field values are sent as sf-strings, as the draft specifies.
 */
export interface RegistrationOffer {
  algorithms: string[];
  path: string;
  challenge: string;
}

export interface SessionConfiguration {
  session_identifier: string;
  refresh_url: string;
  scope: { include_site: boolean; scope_specification: unknown[] };
  credentials: { type: string; name: string; attributes: string }[];
}

/** `(ES256 RS256);path="/x";challenge="y"`: the first inner list of the sf-list (§9.1). */
export function parseRegistrationHeader(value: string): RegistrationOffer {
  const match = /^\(([A-Za-z0-9 ]*)\)((?:;[a-z]+="[^"]*")*)$/.exec(value.split(',')[0].trim());
  if (!match) throw new Error(`not a Secure-Session-Registration item: ${value}`);
  const params = Object.fromEntries([...match[2].matchAll(/;([a-z]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  return { algorithms: match[1].split(' ').filter(Boolean), path: params.path, challenge: params.challenge };
}

/** `"<challenge>";id="<session id>"` (§9.2). */
export function parseChallengeHeader(value: string): { challenge: string; id?: string } {
  const match = /^"([^"]*)"(?:;id="([^"]*)")?$/.exec(value.trim());
  if (!match) throw new Error(`not a Secure-Session-Challenge: ${value}`);
  return { challenge: match[1], id: match[2] };
}

/**
 * What a browser checks before it trusts a configuration: the credential it must keep alive was set by
 * this very response, with exactly the attributes the configuration names.
 */
export function credentialMatchesSetCookie(configuration: SessionConfiguration, setCookieLines: string[]): boolean {
  return configuration.credentials.every((credential) =>
    setCookieLines.some((line) => {
      const separator = line.indexOf('; ');
      const [pair, attributes] = [line.slice(0, separator), line.slice(separator + 2)];
      return pair.startsWith(`${credential.name}=`) && attributes === credential.attributes;
    }),
  );
}

export function setCookieLines(response: Response): string[] {
  const header = response.headers['set-cookie'] as unknown as string[] | string | undefined;
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}

export class DbscBrowser {
  configuration?: SessionConfiguration;
  /** The bound cookie's current value, as the browser's jar holds it. */
  boundCookie?: string;

  private constructor(
    private readonly t: TestApp,
    readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
    private readonly cookies: () => string,
  ) {}

  /** A fresh ES256 key for one session; `cookies` yields the Cookie header the browser would send. */
  static async create(t: TestApp, cookies: () => string): Promise<DbscBrowser> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    return new DbscBrowser(t, privateKey, await exportJWK(publicKey), cookies);
  }

  /** The registration proof: self-signed, the public key in the header. */
  registrationProof(challenge: string, overrides: { header?: object; key?: CryptoKey } = {}): Promise<string> {
    return new SignJWT({ jti: challenge })
      .setProtectedHeader({ alg: 'ES256', typ: 'dbsc+jwt', jwk: this.publicJwk, ...overrides.header })
      .setIssuedAt()
      .sign(overrides.key ?? this.privateKey);
  }

  /** A refresh proof: signed with the session's key; the key is known to the server already. */
  refreshProof(challenge: string, overrides: { header?: object; key?: CryptoKey } = {}): Promise<string> {
    return new SignJWT({ jti: challenge })
      .setProtectedHeader({ alg: 'ES256', typ: 'dbsc+jwt', ...overrides.header })
      .setIssuedAt()
      .sign(overrides.key ?? this.privateKey);
  }

  async register(offer: RegistrationOffer, proof?: string): Promise<Response> {
    const response = await this.t
      .http()
      .post(offer.path)
      .set('Cookie', this.cookies())
      .set('Secure-Session-Response', `"${proof ?? (await this.registrationProof(offer.challenge))}"`);
    if (response.status === 200) this.accept(response);
    return response;
  }

  /** The first refresh request: no proof, so the server answers 403 with a challenge. */
  askForChallenge(sessionId = this.configuration!.session_identifier): Test {
    return this.t
      .http()
      .post(this.configuration!.refresh_url)
      .set('Cookie', this.cookies())
      .set('Sec-Secure-Session-Id', `"${sessionId}"`);
  }

  sendProof(proof: string, sessionId = this.configuration!.session_identifier): Test {
    return this.t
      .http()
      .post(this.configuration!.refresh_url)
      .set('Cookie', this.cookies())
      .set('Sec-Secure-Session-Id', `"${sessionId}"`)
      .set('Secure-Session-Response', `"${proof}"`);
  }

  /** The whole refresh as a browser runs it; returns the final response. */
  async refresh(): Promise<Response> {
    const first = await this.askForChallenge();
    if (first.status !== 403) return first;
    const { challenge } = parseChallengeHeader(first.headers['secure-session-challenge']);
    const response = await this.sendProof(await this.refreshProof(challenge));
    if (response.status === 200) this.accept(response);
    return response;
  }

  private accept(response: Response): void {
    const configuration = response.body as SessionConfiguration;
    if (!credentialMatchesSetCookie(configuration, setCookieLines(response))) {
      throw new Error('the session configuration does not match the Set-Cookie it came with');
    }
    this.configuration = configuration;
    const name = configuration.credentials[0].name;
    const line = setCookieLines(response).find((l) => l.startsWith(`${name}=`))!;
    this.boundCookie = line.slice(name.length + 1, line.indexOf(';'));
  }
}
