import { ROLES, type Role } from '../access/role';

/**
 * Asymmetric JWS algorithms an external issuer may be trusted with. HMAC (a shared secret Warden would
 * have to hold) and `none` are never accepted (RFC 8725 §3.1, §3.2).
 */
export const EXTERNAL_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
  'EdDSA',
  'Ed25519',
] as const;

/** One trusted OpenID provider (Keycloak, Auth0, ...) whose access tokens the global guard accepts. */
export interface ExternalIssuerSettings {
  /** The exact `iss` of its tokens. */
  issuer: string;
  /** The `aud` its tokens must carry for this deployment (RFC 9068 §4: the resource server's identifier). */
  audience: string;
  /** The only algorithms its tokens may be signed with; the verifier, not the token, decides. */
  algorithms: string[];
  /** Its JWKS; by default the `jwks_uri` of its discovery document (`<issuer>/.well-known/openid-configuration`). */
  jwksUri: string | null;
  /** The JWT `typ` its access tokens carry: `at+jwt` (RFC 9068) unless the provider does not implement it. */
  tokenType: string;
  /** Dot path of the claim holding its role names (`realm_access.roles` in Keycloak), or null: no roles. */
  rolesClaim: string | null;
  /** Its role names → Warden roles; names not listed grant nothing. */
  roles: Record<string, Role>;
}

const KNOWN_FIELDS = new Set(['issuer', 'audience', 'algorithms', 'jwksUri', 'tokenType', 'rolesClaim', 'roles']);
const EXAMPLE =
  '[{"issuer":"https://idp.example.com/realms/main","audience":"warden-api","algorithms":["RS256"],' +
  '"rolesClaim":"realm_access.roles","roles":{"warden-admin":"admin"}}]';

/**
 * EXTERNAL_ISSUERS: a JSON array of trusted issuers, empty by default (Warden trusts only itself). Every
 * problem names the entry and the field, so a typo cannot silently widen or narrow trust.
 */
export function parseExternalIssuers(
  value: string | undefined,
  context: { ownIssuer: string; production: boolean },
  problems: string[],
): ExternalIssuerSettings[] {
  if (value === undefined || value.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    problems.push(`EXTERNAL_ISSUERS must be a JSON array such as ${EXAMPLE}`);
    return [];
  }
  if (!Array.isArray(parsed)) {
    problems.push(`EXTERNAL_ISSUERS must be a JSON array such as ${EXAMPLE}`);
    return [];
  }
  const issuers: ExternalIssuerSettings[] = [];
  parsed.forEach((entry: unknown, index) => {
    const before = problems.length;
    const settings = parseEntry(entry, `EXTERNAL_ISSUERS[${index}]`, context, problems);
    if (!settings || problems.length > before) return;
    if (issuers.some((other) => other.issuer === settings.issuer)) {
      problems.push(`EXTERNAL_ISSUERS[${index}].issuer ${settings.issuer} is listed twice`);
      return;
    }
    issuers.push(settings);
  });
  return issuers;
}

function parseEntry(
  entry: unknown,
  name: string,
  context: { ownIssuer: string; production: boolean },
  problems: string[],
): ExternalIssuerSettings | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    problems.push(`${name} must be an object with issuer, audience and algorithms`);
    return undefined;
  }
  const fields = entry as Record<string, unknown>;
  for (const field of Object.keys(fields)) {
    if (!KNOWN_FIELDS.has(field))
      problems.push(`${name}.${field} is not a known field (${[...KNOWN_FIELDS].join(', ')})`);
  }
  const url = (field: 'issuer' | 'jwksUri') => {
    const raw = fields[field];
    const parsed = typeof raw === 'string' && URL.canParse(raw) ? new URL(raw) : undefined;
    if (!parsed || !(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && !context.production))) {
      problems.push(`${name}.${field} must be an absolute https URL (plain http is accepted outside production only)`);
    }
    return raw as string;
  };
  const issuer = url('issuer');
  if (issuer === context.ownIssuer) problems.push(`${name}.issuer is Warden's own JWT_ISSUER; list only other issuers`);
  const audience = fields.audience;
  if (typeof audience !== 'string' || audience === '') problems.push(`${name}.audience must be a non-empty string`);
  const algorithms = fields.algorithms;
  if (
    !Array.isArray(algorithms) ||
    algorithms.length === 0 ||
    !algorithms.every((alg) => (EXTERNAL_ALGORITHMS as readonly unknown[]).includes(alg))
  ) {
    problems.push(`${name}.algorithms must be a non-empty list of ${EXTERNAL_ALGORITHMS.join(', ')}`);
  }
  const jwksUri = fields.jwksUri === undefined ? null : url('jwksUri');
  const tokenType = fields.tokenType ?? 'at+jwt';
  if (typeof tokenType !== 'string' || tokenType === '') problems.push(`${name}.tokenType must be a non-empty string`);
  const rolesClaim = fields.rolesClaim ?? null;
  if (rolesClaim !== null && (typeof rolesClaim !== 'string' || rolesClaim === '')) {
    problems.push(`${name}.rolesClaim must be a claim name or dot path such as realm_access.roles`);
  }
  const roles = fields.roles ?? {};
  if (
    roles === null ||
    typeof roles !== 'object' ||
    Array.isArray(roles) ||
    !Object.values(roles as Record<string, unknown>).every((role) => ROLES.some((known) => known === role))
  ) {
    problems.push(`${name}.roles must map the issuer's role names to ${ROLES.join(' or ')}`);
  } else if (Object.keys(roles).length > 0 && rolesClaim === null) {
    problems.push(`${name}.roles needs rolesClaim: the claim that holds the issuer's role names`);
  }
  return {
    issuer,
    audience: audience as string,
    algorithms: algorithms as string[],
    jwksUri,
    tokenType: tokenType as string,
    rolesClaim: rolesClaim as string | null,
    roles: roles as Record<string, Role>,
  };
}
