import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createResourceServer } from '../examples/resource-server/server';
import { loginBearer, registerUser } from './factories/users';
import { craftedProof, dpopClient, type DpopClient, type DpopSession, loginDpop } from './helpers/dpop';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * The example resource server trusts Warden's JWKS and enforces DPoP binding itself: a token stolen from a
 * DPoP client is useless there without the key, as it is at Warden. Proofs come from panva's `dpop` package.
 */
describe('the example resource server with DPoP-bound tokens', () => {
  let warden: TestApp;
  let server: Server;
  let client: DpopClient;
  let session: DpopSession;
  let origin: string;

  beforeAll(async () => {
    warden = await createTestApp();
    server = createResourceServer({
      jwksUrl: `${warden.baseUrl}/.well-known/jwks.json`,
      issuer: 'http://localhost:3000',
      audience: 'warden-api',
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await warden.close();
  });
  beforeEach(async () => {
    client = await dpopClient();
    session = await loginDpop(warden, await registerUser(warden), client);
  });

  const whoami = (scheme: string, token: string, proof?: string) => {
    const call = request(origin).get('/whoami').set('Authorization', `${scheme} ${token}`);
    return proof ? call.set('DPoP', proof) : call;
  };
  const proofBy = (by: DpopClient, url = `${origin}/whoami`, method = 'GET') =>
    by.proof(method, url, session.accessToken);

  it('accepts the bound token with a proof by its key', async () => {
    await whoami('DPoP', session.accessToken, await proofBy(client)).expect(200);
  });

  it('still accepts plain bearer tokens of clients without DPoP', async () => {
    const { accessToken } = await loginBearer(warden, await registerUser(warden));
    await whoami('Bearer', accessToken).expect(200);
  });

  it.each([
    ['as plain Bearer', async () => whoami('Bearer', session.accessToken)],
    ['without a proof', async () => whoami('DPoP', session.accessToken)],
    ['with a proof by another key', async () => whoami('DPoP', session.accessToken, await proofBy(await dpopClient()))],
    [
      'with a proof for another URL',
      async () => whoami('DPoP', session.accessToken, await proofBy(client, `${origin}/admin`)),
    ],
    [
      'with a proof for another method',
      async () => whoami('DPoP', session.accessToken, await proofBy(client, undefined, 'POST')),
    ],
    [
      'with a proof for another token',
      async () => whoami('DPoP', session.accessToken, await client.proof('GET', `${origin}/whoami`, 'other.token.x')),
    ],
    [
      'with a stale proof',
      async () =>
        whoami(
          'DPoP',
          session.accessToken,
          await craftedProof(client, 'GET', `${origin}/whoami`, session.accessToken, (p) => {
            p.claims.iat = (p.claims.iat as number) - 300;
          }),
        ),
    ],
  ])('refuses the stolen bound token %s', async (_name, send) => {
    expect((await send()).status).toBe(401);
  });

  it('refuses a replayed proof', async () => {
    const proof = await proofBy(client);
    await whoami('DPoP', session.accessToken, proof).expect(200);
    await whoami('DPoP', session.accessToken, proof).expect(401);
  });

  it('refuses an unbound token under the DPoP scheme', async () => {
    const { accessToken } = await loginBearer(warden, await registerUser(warden));
    await whoami('DPoP', accessToken, await client.proof('GET', `${origin}/whoami`, accessToken)).expect(401);
  });
});
