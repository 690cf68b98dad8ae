// What the sending node did, recorded in the log (streams `deliveries-webhooks`
// and `deliveries-mail`), so that every node's outbox knows what was sent and
// a node that takes the sending over neither loses nor re-sends it. Facts of
// the outside world, not decisions: no aggregate decides them, the leader
// records them after the attempt.
import * as t from 'io-ts'
import { Instant } from '../codecs.js'
import type { EventSchemas } from '../versioning.js'

/** An attempt of a webhook delivery and what came of it. */
export const WebhookDeliveryAttempted = t.type({
  type: t.literal('WebhookDeliveryAttempted'),
  data: t.type({
    /** The delivery id (webhook-id): the same on every node for the same event and endpoint. */
    deliveryId: t.string,
    endpointId: t.string,
    /** 1 for the first attempt. */
    attempt: t.number,
    /** After this attempt: delivered, pending (tried again at nextAttemptAt) or failed for good. */
    status: t.keyof({ delivered: null, pending: null, failed: null }),
    responseStatus: t.union([t.number, t.null]),
    error: t.union([t.string, t.null]),
    nextAttemptAt: t.union([Instant, t.null]),
    at: Instant,
  }),
})

/** An e-mail notice handed to the mail server (or written to the outbox directory). */
export const EmailNoticeSent = t.type({
  type: t.literal('EmailNoticeSent'),
  data: t.type({
    /** The notice's key (the event it is about, and which address): what a resend is recognised by. */
    key: t.string,
    at: Instant,
  }),
})

export const DeliveryEvent = t.union([WebhookDeliveryAttempted, EmailNoticeSent])
export type DeliveryEvent = t.TypeOf<typeof DeliveryEvent>

export const deliverySchemas: EventSchemas<DeliveryEvent['type']> = {
  versions: { WebhookDeliveryAttempted: 1, EmailNoticeSent: 1 },
  upcasters: {},
}
