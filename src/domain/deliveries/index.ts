import type { DeliveryEvent } from './events.js'

export * from './events.js'

/** A notice sent, as the log records it. */
export const noticeSent = (key: string, at: Date): DeliveryEvent => ({ type: 'EmailNoticeSent', data: { key, at: at.toISOString() } })

/** The stream a role's records go to: appended to, never read as a stream (every node follows them in the log). */
export const deliveriesStream = (role: 'webhooks' | 'mail'): string => `deliveries-${role}`
