import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Warden-Signature';
export const TIMESTAMP_HEADER = 'X-Warden-Timestamp';
export const DELIVERY_HEADER = 'X-Warden-Delivery';

/**
 * `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<delivery id>.<body>")>`. The timestamp and the delivery
 * id are signed with the body, so a captured delivery can be replayed neither later (fresh timestamp) nor
 * under a fresh delivery id (past a receiver that dedupes on it). Neither contains a dot, so the parts
 * cannot run into each other.
 */
export function signWebhookBody(secret: Buffer, timestamp: number, deliveryId: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${deliveryId}.${body}`).digest('hex')}`;
}
