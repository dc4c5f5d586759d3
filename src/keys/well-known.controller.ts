import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Response } from 'express';
import { Public } from '../access/public.decorator';
import { jwtConfig } from './jwt.config';
import { keysConfig } from './keys.config';
import { KeyStore } from './key-store.service';

export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * What outside verifiers need: the public keys (RFC 7517) and a discovery document pointing at them.
 * max-age (JWKS_MAX_AGE) stays shorter than KEY_PREPUBLISH_LEAD, so a cache always holds a next key
 * before it signs.
 */
@Controller('.well-known')
export class WellKnownController {
  constructor(
    private readonly keyStore: KeyStore,
    @Inject(jwtConfig.KEY) private readonly jwt: ConfigType<typeof jwtConfig>,
    @Inject(keysConfig.KEY) private readonly keys: ConfigType<typeof keysConfig>,
  ) {}

  @Public()
  @Get('jwks.json')
  jwks(@Res({ passthrough: true }) response: Response): { keys: Record<string, string>[] } {
    this.cacheFor(response);
    return { keys: this.keyStore.publishedKeys() };
  }

  /**
   * RFC 8414 / OpenID Connect Discovery 1.0 metadata, limited to what Warden implements: `issuer` and
   * `jwks_uri`, all a resource server needs to verify an RFC 9068 access token (oauth4webapi and
   * openid-client read it; test/interop.e2e-spec.ts). Warden is not an OAuth authorization server and
   * issues no ID tokens: its login and refresh endpoints speak their own JSON, so no OAuth endpoint, grant,
   * response type or ID-token algorithm is claimed; they are listed under `warden_*` names no OAuth client
   * will mistake for its own. Each JWKS key names its one algorithm (`alg`).
   */
  @Public()
  @Get('openid-configuration')
  discovery(@Res({ passthrough: true }) response: Response) {
    this.cacheFor(response);
    const issuer = this.jwt.issuer.replace(/\/+$/, '');
    return {
      issuer: this.jwt.issuer,
      jwks_uri: `${issuer}${JWKS_PATH}`,
      warden_login_endpoint: `${issuer}/api/auth/login`,
      warden_refresh_endpoint: `${issuer}/api/auth/refresh`,
      warden_logout_endpoint: `${issuer}/api/auth/logout`,
      warden_sessions_endpoint: `${issuer}/api/auth/sessions`,
    };
  }

  private cacheFor(response: Response): void {
    response.setHeader('Cache-Control', `public, max-age=${this.keys.jwksMaxAgeSeconds}`);
  }
}
