import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Response } from 'express';
import { Public } from '../common/decorators/public.decorator';
import { jwtConfig, keysConfig } from '../config/configuration';
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
   * Modelled on OpenID Connect Discovery 1.0 / RFC 8414 so generic JWT libraries can find the keys from
   * the issuer. Warden is not an OAuth authorization server: its login and refresh endpoints speak their
   * own JSON, so no OAuth token, authorization or revocation endpoint is claimed; they are listed under
   * `warden_*` names no OAuth client will mistake for its own.
   */
  @Public()
  @Get('openid-configuration')
  discovery(@Res({ passthrough: true }) response: Response) {
    this.cacheFor(response);
    const issuer = this.jwt.issuer.replace(/\/+$/, '');
    const algorithms = [...new Set(this.keyStore.publishedKeys().map((key) => key.alg))].sort();
    return {
      issuer: this.jwt.issuer,
      jwks_uri: `${issuer}${JWKS_PATH}`,
      // Warden issues no ID tokens. The field lists the JWS algorithms of the published keys because
      // generic libraries read it to decide which algorithms to accept for this issuer.
      id_token_signing_alg_values_supported: algorithms,
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
