// Facts of an activation key's own stream: who holds the key. One stream per
// key makes uniqueness a single-stream decision under optimistic concurrency.
import * as t from 'io-ts'
import { Instant } from '../codecs.js'
import type { EventSchemas } from '../versioning.js'
import { ActivationKey } from './key.js'

export const ActivationKeyReserved = t.type({
  type: t.literal('ActivationKeyReserved'),
  data: t.type({ key: ActivationKey, orderId: t.string, at: Instant }),
})

export const ActivationKeyReleased = t.type({
  type: t.literal('ActivationKeyReleased'),
  data: t.type({
    key: ActivationKey,
    orderId: t.string,
    /** changed: the order took another key; abandoned: a reservation its order never used, reclaimed. */
    reason: t.union([t.literal('changed'), t.literal('abandoned')]),
    at: Instant,
  }),
})

export const ActivationKeyEvent = t.union([ActivationKeyReserved, ActivationKeyReleased])
export type ActivationKeyEvent = t.TypeOf<typeof ActivationKeyEvent>

export const activationKeySchemas: EventSchemas<ActivationKeyEvent['type']> = {
  versions: { ActivationKeyReserved: 1, ActivationKeyReleased: 1 },
  upcasters: {},
}
