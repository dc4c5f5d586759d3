/**
 * The lowest layer: one fetch, a parsed answer, no session logic. Cookies travel only to our own origin
 * and the page never reads them (they are HttpOnly).
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface SendOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  csrfToken?: string | null;
  signal?: AbortSignal;
}

export interface HttpResult {
  ok: boolean;
  status: number;
  headers: Headers;
  body: unknown;
}

/** The server's error envelope, `{statusCode, error, message}`, with `message` normalised to a list. */
export class ApiError extends Error {
  readonly status: number;
  readonly error: string;
  readonly messages: string[];
  readonly retryAfter: number | null;
  readonly body: unknown;

  constructor(result: HttpResult) {
    const envelope = isRecord(result.body) ? result.body : {};
    const raw = envelope['message'];
    const messages = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' && raw !== '' ? [raw] : [];
    super(messages[0] ?? `HTTP ${result.status}`);
    this.name = 'ApiError';
    this.status = result.status;
    this.error = typeof envelope['error'] === 'string' ? envelope['error'] : '';
    this.messages = messages;
    this.retryAfter = parseRetryAfter(result.headers.get('Retry-After'));
    this.body = result.body;
  }
}

/** fetch() itself failed: server down, connection refused, aborted by timeout. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('Could not reach the server.', { cause });
    this.name = 'NetworkError';
  }
}

export const UNSAFE_METHODS: ReadonlySet<Method> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function send(method: Method, path: string, options: SendOptions = {}): Promise<HttpResult> {
  const headers = new Headers({ Accept: 'application/json' });
  if (options.body !== undefined) headers.set('Content-Type', 'application/json');
  if (options.csrfToken) headers.set('X-CSRF-Token', options.csrfToken);

  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError' && options.signal?.aborted) throw error;
    throw new NetworkError(error);
  }
  return { ok: response.ok, status: response.status, headers: response.headers, body: await readBody(response) };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withQuery(path: string, query: SendOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text().catch(() => '');
  if (text === '') return undefined;
  if ((response.headers.get('Content-Type') ?? '').includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** RFC 9110 §10.2.3: either delay-seconds or an HTTP-date. */
function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
