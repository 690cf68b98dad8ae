import * as t from 'io-ts'
import { Instant, PositiveInt } from '../codecs.js'
import type { EventSchemas, Upcaster } from '../versioning.js'
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

/**
 * Version 2 always has CustomTags. A version 1 profile may lack them (the
 * customer before seed 001's custom tags), which reads as no tags; version 1
 * events that carry tags keep them.
 */
const withCustomTags: Upcaster = (data) => {
  const { profile, ...rest } = data as { readonly profile?: Readonly<Record<string, unknown>> }
  if (typeof profile !== 'object' || profile === null || profile.CustomTags !== undefined) return data
  return { ...rest, profile: { ...profile, CustomTags: [] } }
}

export const customerSchemas: EventSchemas<CustomerEvent['type']> = {
  versions: { CustomerCreated: 2, CustomerUpdated: 2 },
  upcasters: { CustomerCreated: { 1: withCustomTags }, CustomerUpdated: { 1: withCustomTags } },
}
