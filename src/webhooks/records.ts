// A webhook attempt as the log records it (WebhookDeliveryAttempted), so that
// every node's outbox learns what the sending node did: from an attempt the
// dispatcher settled, or, for a delivery settled before the log recorded
// attempts, from what the outbox kept of it.
import type { DeliveryEvent } from '../domain/deliveries/index.js'
import type { SettledAttempt } from './dispatcher.js'
import type { Delivery } from './outbox.js'

const iso = (epochMs: number): string => new Date(epochMs).toISOString()

/** A settled attempt as the log records it. */
export const settledRecord = ({ delivery, attempt, outcome, status, nextAttemptAt }: SettledAttempt): DeliveryEvent => ({
  type: 'WebhookDeliveryAttempted',
  data: {
    deliveryId: delivery.deliveryId,
    endpointId: delivery.endpointId,
    attempt,
    status,
    responseStatus: outcome.responseStatus,
    error: outcome.error,
    nextAttemptAt: nextAttemptAt === null ? null : iso(nextAttemptAt),
    at: iso(outcome.at),
  },
})

/** A delivery settled before the log recorded attempts, as its last attempt would have been recorded. */
export const settledBefore = (delivery: Delivery): DeliveryEvent => ({
  type: 'WebhookDeliveryAttempted',
  data: {
    deliveryId: delivery.deliveryId,
    endpointId: delivery.endpointId,
    attempt: Math.max(1, delivery.attempts),
    status: delivery.status === 'delivered' ? 'delivered' : 'failed',
    responseStatus: delivery.responseStatus,
    error: delivery.lastError,
    nextAttemptAt: null,
    at: iso(delivery.lastAttemptAt ?? delivery.createdAt),
  },
})
