import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { hash, randomUUID } from 'node:crypto';
import { UsersService } from '../users/users.service';
import { type LabExchange, LabService } from './lab.service';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

const ME = '/api/users/me';

/**
 * The DPoP demonstration (RFC 9449): the lab plays a DPoP client whose key never leaves it, logs in as the
 * caller, then plays a thief who stole the access token (and one proof) but not the key. Every request goes
 * over HTTP to this very server; the demo session is logged out at the end.
 */
@Injectable()
export class LabDpopService {
  constructor(
    private readonly lab: LabService,
    private readonly users: UsersService,
  ) {}

  async demonstrate(request: Request, userId: string, password: string): Promise<LabExchange[]> {
    const { email } = await this.users.getById(userId);
    const userAgent = request.get('user-agent') ?? '';
    const origin = `http://127.0.0.1:${request.socket.localPort}`;
    const client = await newKey();
    const thief = await newKey();
    const proof = (by: { keys: KeyPair; jwk: JWK }, method: string, path: string, accessToken?: string) =>
      signProof(by, method, `${origin}${path}`, accessToken);

    const login = await this.lab.send(
      request,
      'The client logs in with a DPoP proof',
      'POST',
      '/api/auth/login',
      { 'User-Agent': userAgent, DPoP: await proof(client, 'POST', '/api/auth/login') },
      { email, password, transport: 'bearer' },
    );
    const { accessToken } = (login.response.body ?? {}) as { accessToken?: unknown };
    if (typeof accessToken !== 'string') return [withoutTokens(login)];
    const authorization = (scheme: string) => ({ 'User-Agent': userAgent, Authorization: `${scheme} ${accessToken}` });

    const ownProof = await proof(client, 'GET', ME, accessToken);
    const steps = [
      withoutTokens(login),
      await this.lab.send(request, 'The client calls the API: token and a fresh proof by its key', 'GET', ME, {
        ...authorization('DPoP'),
        DPoP: ownProof,
      }),
      await this.lab.send(
        request,
        'A thief replays the stolen token as a plain Bearer token',
        'GET',
        ME,
        authorization('Bearer'),
      ),
      await this.lab.send(request, 'The thief signs a proof with his own key', 'GET', ME, {
        ...authorization('DPoP'),
        DPoP: await proof(thief, 'GET', ME, accessToken),
      }),
      await this.lab.send(request, "The thief replays the client's proof, captured in transit", 'GET', ME, {
        ...authorization('DPoP'),
        DPoP: ownProof,
      }),
    ];
    await this.lab.send(request, 'The demo session logs out', 'POST', '/api/auth/logout', {
      ...authorization('DPoP'),
      DPoP: await proof(client, 'POST', '/api/auth/logout', accessToken),
    });
    return steps;
  }
}

async function newKey(): Promise<{ keys: KeyPair; jwk: JWK }> {
  const keys = await generateKeyPair('ES256');
  return { keys, jwk: await exportJWK(keys.publicKey) };
}

/** RFC 9449 §4.2: what a DPoP client library sends with each request. */
function signProof(by: { keys: KeyPair; jwk: JWK }, htm: string, htu: string, accessToken?: string): Promise<string> {
  const ath = accessToken === undefined ? {} : { ath: hash('sha256', accessToken, 'base64url') };
  return new SignJWT({ jti: randomUUID(), htm, htu, ...ath })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: by.jwk })
    .setIssuedAt()
    .sign(by.keys.privateKey);
}

/** The login answer without the tokens: the lab reports shapes, never secrets. */
function withoutTokens(exchange: LabExchange): LabExchange {
  const body = exchange.response.body;
  if (body === null || typeof body !== 'object') return exchange;
  const { accessToken: _access, refreshToken: _refresh, ...rest } = body as Record<string, unknown>;
  return { ...exchange, response: { ...exchange.response, body: rest } };
}
