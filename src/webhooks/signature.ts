// How a delivery is signed: the Standard Webhooks scheme (standardwebhooks.com),
// so a receiver can verify it with any stock Standard Webhooks library:
//   webhook-id:        the delivery id (the same on every retry: de-duplicate on it)
//   webhook-timestamp: seconds since the epoch when this attempt was signed
//   webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<raw body>")>
// The id and timestamp are signed with the body, so neither can be changed
// or replayed later without the secret.
import { createHmac } from 'node:crypto'

export const ID_HEADER = 'webhook-id'
export const TIMESTAMP_HEADER = 'webhook-timestamp'
export const SIGNATURE_HEADER = 'webhook-signature'
/** Not part of the standard: the event's name, so a receiver can route before parsing the body. */
export const EVENT_HEADER = 'webhook-event'

const STANDARD_SECRET = /^whsec_([A-Za-z0-9+/_-]+={0,2})$/

/**
 * The HMAC key of a secret. A `whsec_<base64>` secret (the form the engine
 * generates) is its decoded bytes, as the standard says; any other secret a
 * client chose is its UTF-8 bytes (a stock verifier takes it with `format: 'raw'`).
 */
export const signingKey = (secret: string): Buffer => {
  const standard = STANDARD_SECRET.exec(secret)
  return standard === null ? Buffer.from(secret, 'utf8') : Buffer.from(standard[1]!, 'base64')
}

export const signedContent = (deliveryId: string, timestamp: number, body: string): string => `${deliveryId}.${timestamp}.${body}`

export const signature = (secret: string, deliveryId: string, timestamp: number, body: string): string =>
  `v1,${createHmac('sha256', signingKey(secret)).update(signedContent(deliveryId, timestamp, body), 'utf8').digest('base64')}`

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
