// How a delivery is signed, so a receiver can tell it came from this engine,
// unaltered, recently, and tell a redelivery from a new event:
//   X-Webhook-Id:        the delivery id (the same on every retry: de-duplicate on it)
//   X-Webhook-Timestamp: seconds since the epoch when this attempt was signed
//   X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, "<id>.<timestamp>.<raw body>")>
// The id and timestamp are signed with the body, so neither can be changed
// or replayed later without the secret.
import { createHmac } from 'node:crypto'

export const SIGNATURE_HEADER = 'X-Webhook-Signature'
export const TIMESTAMP_HEADER = 'X-Webhook-Timestamp'
export const ID_HEADER = 'X-Webhook-Id'
export const EVENT_HEADER = 'X-Webhook-Event'

export const signedContent = (deliveryId: string, timestamp: number, body: string): string => `${deliveryId}.${timestamp}.${body}`

export const signature = (secret: string, deliveryId: string, timestamp: number, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(signedContent(deliveryId, timestamp, body), 'utf8').digest('hex')}`

export interface Delivered {
  readonly deliveryId: string
  readonly event: string
  /** The exact bytes sent (UTF-8 JSON). */
  readonly body: string
}

/** Every header of one attempt. */
export const deliveryHeaders = (secret: string, delivery: Delivered, timestamp: number, userAgent: string): Record<string, string> => ({
  'Content-Type': 'application/json',
  'User-Agent': userAgent,
  [ID_HEADER]: delivery.deliveryId,
  [EVENT_HEADER]: delivery.event,
  [TIMESTAMP_HEADER]: String(timestamp),
  [SIGNATURE_HEADER]: signature(secret, delivery.deliveryId, timestamp, delivery.body),
})
