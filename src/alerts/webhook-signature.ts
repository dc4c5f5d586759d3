import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Warden-Signature';
export const TIMESTAMP_HEADER = 'X-Warden-Timestamp';
export const DELIVERY_HEADER = 'X-Warden-Delivery';

/**
 * `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. The timestamp is signed with the body, so a
 * captured delivery cannot be replayed later with a fresh timestamp; the dot keeps the two parts apart.
 */
export function signWebhookBody(secret: Buffer, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
