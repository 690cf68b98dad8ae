// The webhook events a vendor can subscribe to: a fixed catalogue, so a typo
// in a registration is refused rather than silently never delivered. Which
// domain events produce which of these is decided in src/webhooks/catalogue.ts.

export const WEBHOOK_EVENTS = {
  'license-order.created': 'A license order was created. Data: the order as seed 001 shows it.',
  'license-order.updated': 'A license order changed (terms, activation key or serial number). Data: the order as seed 001 shows it.',
  'activation.created': 'A machine was activated (seed 002 or seed 003). Data: the activation as seed 003 shows it.',
  'activation.updated': 'An activation changed (seed 003 PATCH, or a re-activation with other details). Data: the activation as seed 003 shows it.',
  'activation.deleted': 'A machine was deactivated, or its activation token revoked. Data: the activation as seed 003 shows it, as it was.',
  'seat.granted': 'A floating seat was granted. Data: the seat.',
  'seat.released': 'A floating seat was released (or its token revoked). Data: the seat, as it was.',
  'seat.expired': 'A floating seat expired without being released. Data: the seat, as it was; expiredAt is when its lease ran out.',
} as const

export type WebhookEventName = keyof typeof WEBHOOK_EVENTS

export const WEBHOOK_EVENT_NAMES = Object.keys(WEBHOOK_EVENTS) as [WebhookEventName, ...WebhookEventName[]]

/** Subscribes to every event of the catalogue, including those added later. */
export const ALL_EVENTS = '*'

/** Whether an endpoint subscribed to `selected` wants `event`. */
export const wants = (selected: readonly string[], event: WebhookEventName): boolean =>
  selected.includes(ALL_EVENTS) || selected.includes(event)
