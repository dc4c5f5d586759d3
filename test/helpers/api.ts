import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';

/**
 * supertest types every response body as `any`, rawRequest as `unknown`. A test names the shape it expects and
 * reads the body through it, so a misspelt field is a type error instead of a silent `undefined`. Nothing is
 * checked at run time: the test's assertions do that. The shapes below are docs/API.md's, as a client sees
 * them (JSON: dates are strings).
 */
export function bodyOf<T>(response: { body: unknown }): T {
  return response.body as T;
}

/** Every failure (docs/API.md, Errors); a 400 from validation lists one message per refused field. */
export interface ApiError {
  statusCode: number;
  error: string;
  message: string | string[];
  /** RFC 9470 step-up answers: `insufficient_user_authentication` and the max age in seconds. */
  code?: string;
  maxAge?: number;
}

/** The message of a failure, for the common single-message case. */
export function messageOf(response: { body: unknown }): string | string[] {
  return bodyOf<ApiError>(response).message;
}

export interface UserSummary {
  id: string;
  email: string;
  roles: string[];
}

/** GET /api/users/me */
export interface Me extends UserSummary {
  createdAt: string;
  emailVerified: boolean;
}

/** GET /api/auth/principal: who the access token speaks for, Warden's or an external issuer's. */
export interface Principal {
  issuer: string;
  sub: string;
  roles: string[];
  transport: string;
  expiresAt: string;
}

/** Login, refresh and second factor, bearer transport. */
export interface BearerGrant {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer' | 'DPoP';
  expiresIn: number;
  user: UserSummary;
}

/** Login, refresh and second factor, cookie transport: the tokens are in cookies. */
export interface CookieGrant {
  user: UserSummary;
  accessTokenExpiresAt: string;
  csrfToken: string;
  idleTimeoutSeconds: number;
}

/** POST /api/auth/resource-token: an access token for one resource server (RFC 8707). */
export interface ResourceToken {
  accessToken: string;
  tokenType: 'Bearer' | 'DPoP';
  expiresIn: number;
  audience: string;
}

/** A login whose password was right, for an account with a second factor. */
export interface SecondFactorRequired {
  secondFactorRequired: true;
  challenge: string;
  methods: string[];
  expiresAt: string;
}

/** POST /api/auth/step-up, bearer transport. */
export interface BearerStepUp {
  accessToken: string;
  tokenType: 'Bearer' | 'DPoP';
  expiresIn: number;
  authTime: number;
}

/** POST /api/auth/step-up, cookie transport: the new access token is in its cookie. */
export interface CookieStepUp {
  accessTokenExpiresAt: string;
  authTime: number;
}

/** GET /api/auth/sessions, one row. */
export interface SessionRow {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string;
  ip: string;
  current: boolean;
}

/** A passkey ceremony's start: the challenge to send back and the WebAuthn options for the authenticator. */
export interface PasskeyCeremony<Options> {
  challenge: string;
  options: Options;
  expiresAt?: string;
}
export type PasskeyCreation = PasskeyCeremony<PublicKeyCredentialCreationOptionsJSON>;
export type PasskeyRequest = PasskeyCeremony<PublicKeyCredentialRequestOptionsJSON>;
export type { PublicKeyCredentialRequestOptionsJSON };

/** A registered passkey (POST and PATCH /api/auth/mfa/passkeys, and each row of the list). */
export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** Only on the registration that made it the account's first second factor. */
  recoveryCodes?: string[];
}

/** GET /api/admin/audit, one item. */
export interface AuditItem {
  id: string;
  type: string;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  success: boolean;
  reason: string | null;
  count: number;
  createdAt: string;
}

/** GET /api/admin/alerts, one item. */
export interface AlertItem extends AuditItem {
  metadata: Record<string, unknown>;
  rule: string;
  severity: string;
  userEmail: string | null;
  userFlag: { reason: string; flaggedAt: string; alertId: string } | null;
}

/** The admin lists: newest first, `nextCursor` null on the last page. */
export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

/** /.well-known/jwks.json */
export interface Jwks {
  /** Public keys only: every member is a string (kty, crv, x, y or n, e, and kid, alg, use). */
  keys: Record<string, string>[];
}

/** GET /api/dev/outbox, one mail. */
export interface OutboxMail {
  id: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  template: string;
  link: string | null;
  sentAt: string;
}

/** GET /api/health */
export interface Health {
  status: string;
  info: Record<string, { status: string }>;
  error: Record<string, { status: string }>;
  details: Record<string, { status: string }>;
}

/** One request the security lab made and the server's answer (development only). */
export interface LabExchange {
  label: string;
  request: { method: string; path: string; headers: Record<string, string> };
  response: { status: number; body: unknown };
}
/** POST /api/auth/lab/replay */
export interface LabReplay extends LabExchange {
  attack: string;
}
/** POST /api/auth/lab/refresh-reuse and /api/auth/lab/dpop */
export interface LabSteps {
  steps: LabExchange[];
}
