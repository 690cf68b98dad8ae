// The aggregates the application handles commands for, each built from its
// decider by `aggregate`. The three on an order's stream share its fold.
import { ActivationKeyEvent, activationKeyDecider, activationKeyStream } from '../domain/activation-key/index.js'
import { ApiKeyEvent, apiKeyDecider, apiKeyStream } from '../domain/api-key/index.js'
import { CustomerEvent, customerDecider, customerStream } from '../domain/customer/index.js'
import { IdempotencyEvent, idempotencyDecider, idempotencyStream } from '../domain/idempotency/index.js'
import { LeadershipEvent, leadershipDecider, leadershipStream } from '../domain/leadership/index.js'
import { LockoutEvent, lockoutDecider, lockoutStream } from '../domain/lockout/index.js'
import { licenseUpdateDecider, OrderEvent, orderDecider, orderStream, usageDecider } from '../domain/order/index.js'
import { ProductEvent, productDecider, productStream } from '../domain/product/index.js'
import { ProductKeyEvent, productKeyDecider, productKeyStream } from '../domain/product-key/index.js'
import { ProductTemplateEvent, productTemplateDecider, productTemplateStream } from '../domain/product-template/index.js'
import { SeatEvent, seatDecider, seatStream } from '../domain/seat/index.js'
import { SequenceEvent, sequenceDecider, sequenceStream } from '../domain/sequence/index.js'
import { WebhookEndpointEvent, webhookEndpointDecider, webhookEndpointStream } from '../domain/webhook-endpoint/index.js'
import { aggregate } from './aggregate.js'

/** What the aggregates on an order's stream share: its name, events and fold, and its stream. */
const onOrderStream = { name: 'order', stateVersion: 13, events: OrderEvent, streamOf: (c: { readonly orderId: string }) => orderStream(c.orderId) }

/** An order's terms, activation key and serial number (seeds 000 and 001). */
export const OrderAggregate = aggregate({ ...onOrderStream, decider: orderDecider })

/** An order's use: activations and floating seats (seeds 002 and 003). */
export const UsageAggregate = aggregate({ ...onOrderStream, decider: usageDecider })

/** An order's e-mail and license data (seed 004). */
export const LicenseUpdateAggregate = aggregate({ ...onOrderStream, decider: licenseUpdateDecider })

export const CustomerAggregate = aggregate({ name: 'customer', stateVersion: 3, decider: customerDecider, events: CustomerEvent, streamOf: (c) => customerStream(c.customerId) })

export const ProductTemplateAggregate = aggregate({ name: 'productTemplate', stateVersion: 1, decider: productTemplateDecider, events: ProductTemplateEvent, streamOf: (c) => productTemplateStream(c.templateId) })

/** Who holds an activation key: the one place two orders racing for a key meet. */
export const ActivationKeyAggregate = aggregate({ name: 'activationKey', stateVersion: 1, decider: activationKeyDecider, events: ActivationKeyEvent, streamOf: (c) => activationKeyStream(c.key) })

/** Integer ids, one sequence per kind of thing numbered. */
export const SequenceAggregate = aggregate({ name: 'sequence', stateVersion: 1, decider: sequenceDecider, events: SequenceEvent, streamOf: (c) => sequenceStream(c.sequence) })

export const ApiKeyAggregate = aggregate({ name: 'apiKey', stateVersion: 1, decider: apiKeyDecider, events: ApiKeyEvent, streamOf: (c) => apiKeyStream(c.keyId) })

/** An Idempotency-Key: the claim of the request doing its write, then the first reply. */
export const IdempotencyAggregate = aggregate({ name: 'idempotency', stateVersion: 2, decider: idempotencyDecider, events: IdempotencyEvent, streamOf: (c) => idempotencyStream(c.scope) })

export const WebhookEndpointAggregate = aggregate({ name: 'webhookEndpoint', stateVersion: 3, decider: webhookEndpointDecider, events: WebhookEndpointEvent, streamOf: (c) => webhookEndpointStream(c.endpointId) })

/** A product's seed 004 settings. */
export const ProductAggregate = aggregate({ name: 'product', stateVersion: 1, decider: productDecider, events: ProductEvent, streamOf: (c) => productStream(c.productId) })

/** A product's activation-token key pair (seed 003, RS256). */
export const ProductKeyAggregate = aggregate({ name: 'productKey', stateVersion: 2, decider: productKeyDecider, events: ProductKeyEvent, streamOf: (c) => productKeyStream(c.productId) })

/** Seed 004's IP lockout, one stream per address. */
export const LockoutAggregate = aggregate({ name: 'lockout', stateVersion: 1, decider: lockoutDecider, events: LockoutEvent, streamOf: (c) => lockoutStream(c.address) })

/** A sender role's lease: which node delivers webhooks, sends the e-mail notices, sweeps lapsed seats. */
export const LeadershipAggregate = aggregate({ name: 'leadership', stateVersion: 1, decider: leadershipDecider, events: LeadershipEvent, streamOf: (c) => leadershipStream(c.role) })
/**
 * A floating seat's liveness: its lease, renewals and end, in a stream of its
 * own so that heartbeats do not grow the order's. Its state is a few fields,
 * and the first request on a license after a start reads every held seat's:
 * a snapshot every 10 renewals keeps each such read to a handful of events.
 */
export const SeatAggregate = aggregate({ name: 'seat', stateVersion: 11, decider: seatDecider, events: SeatEvent, streamOf: (c) => seatStream(c.seat.seatId), snapshotEvery: 10 })
