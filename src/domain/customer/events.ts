import * as t from 'io-ts'
import { Instant, PositiveInt } from '../codecs.js'
import type { EventSchemas } from '../versioning.js'
import { CustomerProfile } from './profile.js'

export const CustomerCreated = t.type({
  type: t.literal('CustomerCreated'),
  data: t.type({ customerId: PositiveInt, profile: CustomerProfile, at: Instant }),
})

export const CustomerUpdated = t.type({
  type: t.literal('CustomerUpdated'),
  data: t.type({ customerId: PositiveInt, profile: CustomerProfile, at: Instant }),
})

export const CustomerEvent = t.union([CustomerCreated, CustomerUpdated])
export type CustomerEvent = t.TypeOf<typeof CustomerEvent>

export const customerSchemas: EventSchemas<CustomerEvent['type']> = {
  versions: { CustomerCreated: 1, CustomerUpdated: 1 },
  upcasters: {},
}
