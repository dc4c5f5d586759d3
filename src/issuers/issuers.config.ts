import { text } from '../config/readers';
import { defineSettings } from '../config/settings';
import { jwtConfig } from '../keys/jwt.config';
import { parseExternalIssuers } from './external-issuer-settings';

/** Other OpenID providers whose access tokens the guard accepts; empty: Warden trusts only itself. */
export const issuersConfig = defineSettings('issuers', { EXTERNAL_ISSUERS: text() }, (values, context) => ({
  external: parseExternalIssuers(
    values.EXTERNAL_ISSUERS,
    { ownIssuer: context.get(jwtConfig).issuer, production: context.production },
    context.problems,
  ),
}));
