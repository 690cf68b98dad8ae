// Facts of a license order's stream. The order stream is the consistency
// boundary for everything that must never exceed what the order allows.
import * as t from 'io-ts'
import { BoundedString, Instant } from '../codecs.js'
import { ActivationKey } from '../activation-key/key.js'
import type { EventSchemas } from '../versioning.js'
import { LicenseDataChanged, LicenseEmailChanged } from './license-events.js'
import { OrderTerms } from './terms.js'
import { UsageEvent, usageSchemaVersions } from './usage-events.js'

export const SerialNumber = BoundedString(1, 64, 'a serial number of 1 to 64 characters')

export const OrderCreated = t.type({
  type: t.literal('OrderCreated'),
  data: t.type({ orderId: t.string, activationKey: ActivationKey, terms: OrderTerms, at: Instant }),
})

export const OrderUpdated = t.type({
  type: t.literal('OrderUpdated'),
  data: t.type({ orderId: t.string, terms: OrderTerms, at: Instant }),
})

export const ActivationKeyChanged = t.type({
  type: t.literal('ActivationKeyChanged'),
  data: t.type({ orderId: t.string, from: ActivationKey, to: ActivationKey, at: Instant }),
})

export const SerialNumberChanged = t.type({
  type: t.literal('SerialNumberChanged'),
  data: t.type({ orderId: t.string, from: t.union([SerialNumber, t.null]), to: SerialNumber, at: Instant }),
})

export const OrderEvent = t.union([
  OrderCreated,
  OrderUpdated,
  ActivationKeyChanged,
  SerialNumberChanged,
  LicenseEmailChanged,
  LicenseDataChanged,
  UsageEvent,
])
export type OrderEvent = t.TypeOf<typeof OrderEvent>

export const orderSchemas: EventSchemas<OrderEvent['type']> = {
  versions: {
    OrderCreated: 1,
    OrderUpdated: 1,
    ActivationKeyChanged: 1,
    SerialNumberChanged: 1,
    LicenseEmailChanged: 1,
    LicenseDataChanged: 1,
    ...usageSchemaVersions,
  },
  upcasters: {},
}
