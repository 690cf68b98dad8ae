// Facts of an address's lockout stream (`lockout-<address>`): the invalid
// attempts counted against it and the lockouts they caused, kept for audit.
import * as t from 'io-ts'
import { Instant, NonEmptyString, PositiveInt, nullable, oneOf } from '../codecs.js'
import type { EventSchemas } from '../versioning.js'

export const AttemptFailure = oneOf('invalid_credentials', 'invalid_parameters', 'not_found')
export type AttemptFailure = t.TypeOf<typeof AttemptFailure>

export const InvalidAttemptRecorded = t.type({
  type: t.literal('InvalidAttemptRecorded'),
  data: t.type({
    /** What is counted: an IPv4 address or an IPv6 /64 network. */
    address: NonEmptyString,
    reason: AttemptFailure,
    /** The attempt's end-user address (seed 004's UserIp) and the address it came from. */
    userIp: nullable(t.string),
    sourceAddress: nullable(t.string),
    at: Instant,
  }),
})

export const AddressLockedOut = t.type({
  type: t.literal('AddressLockedOut'),
  data: t.type({
    address: NonEmptyString,
    /** The invalid attempts within the window that caused it. */
    attempts: PositiveInt,
    windowSeconds: PositiveInt,
    until: Instant,
    at: Instant,
  }),
})

export const LockoutEvent = t.union([InvalidAttemptRecorded, AddressLockedOut])
export type LockoutEvent = t.TypeOf<typeof LockoutEvent>

export const lockoutSchemas: EventSchemas<LockoutEvent['type']> = {
  versions: { InvalidAttemptRecorded: 1, AddressLockedOut: 1 },
  upcasters: {},
}
