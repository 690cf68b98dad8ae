// Every event the domain records, and the schema versions they are stored at.
// Reading the log goes through here, so an event no aggregate knows is an error.
import * as t from 'io-ts'
import { ActivationKeyEvent, activationKeySchemas } from './activation-key/events.js'
import { ApiKeyEvent, apiKeySchemas } from './api-key/events.js'
import { CustomerEvent, customerSchemas } from './customer/events.js'
import { DeliveryEvent, deliverySchemas } from './deliveries/events.js'
import { IdempotencyEvent, idempotencySchemas } from './idempotency/index.js'
import { LeadershipEvent, leadershipSchemas } from './leadership/events.js'
import { LockoutEvent, lockoutSchemas } from './lockout/events.js'
import { OrderEvent, orderSchemas } from './order/events.js'
import { ProductEvent, productSchemas } from './product/events.js'
import { ProductKeyEvent, productKeySchemas } from './product-key/events.js'
import { ProductTemplateEvent, productTemplateSchemas } from './product-template/events.js'
import { SequenceEvent, sequenceSchemas } from './sequence/index.js'
import { SeatLeaseEnded, SeatLeaseExpired, SeatLeaseStarted, seatSchemas } from './seat/events.js'
import type { EventSchemas } from './versioning.js'
import { WebhookEndpointEvent, webhookEndpointSchemas } from './webhook-endpoint/events.js'

export const DomainEvent = t.union([OrderEvent, CustomerEvent, ProductTemplateEvent, ActivationKeyEvent, SequenceEvent, ApiKeyEvent, IdempotencyEvent, WebhookEndpointEvent, ProductEvent, ProductKeyEvent, LockoutEvent, LeadershipEvent, DeliveryEvent, SeatLeaseStarted, SeatLeaseExpired, SeatLeaseEnded])
// A seat's stream also holds SeatLeaseRenewed, which the order's events already name.
export type DomainEvent = t.TypeOf<typeof DomainEvent>

export const domainSchemas: EventSchemas<DomainEvent['type']> = {
  versions: {
    ...orderSchemas.versions,
    ...customerSchemas.versions,
    ...productTemplateSchemas.versions,
    ...activationKeySchemas.versions,
    ...sequenceSchemas.versions,
    ...apiKeySchemas.versions,
    ...idempotencySchemas.versions,
    ...webhookEndpointSchemas.versions,
    ...productSchemas.versions,
    ...productKeySchemas.versions,
    ...lockoutSchemas.versions,
    ...leadershipSchemas.versions,
    ...deliverySchemas.versions,
    ...seatSchemas.versions,
  },
  upcasters: {
    ...orderSchemas.upcasters,
    ...customerSchemas.upcasters,
    ...productTemplateSchemas.upcasters,
    ...activationKeySchemas.upcasters,
    ...sequenceSchemas.upcasters,
    ...apiKeySchemas.upcasters,
    ...idempotencySchemas.upcasters,
    ...webhookEndpointSchemas.upcasters,
    ...productSchemas.upcasters,
    ...productKeySchemas.upcasters,
    ...lockoutSchemas.upcasters,
    ...leadershipSchemas.upcasters,
    ...deliverySchemas.upcasters,
    ...seatSchemas.upcasters,
  },
}
