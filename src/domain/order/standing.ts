// Where a client stands on a license: what seed 002's validate answers, with
// a machine-readable code. Judged at `now` from the order as recorded; a seat
// whose lease ran out is dead even before its expiry is written.
import { lapsed } from './lease.js'
import { clientKey } from './machine.js'
import { activationOf, activationsOf, liveSeats, seatOf, type ClientRef } from './occupancy.js'
import type { ExistingOrder } from './state.js'
import type { Activation, Seat } from './usage.js'
import { isExpired } from './validity.js'

export type Held = { readonly kind: 'activation'; readonly activation: Activation } | { readonly kind: 'seat'; readonly seat: Seat }

export type StandingCode =
  | 'VALID'
  | 'DISABLED'
  | 'EXPIRED'
  | 'HEARTBEAT_DEAD'
  | 'TOKEN_REVOKED'
  | 'FINGERPRINT_MISMATCH'
  | 'NO_SEAT'
  | 'NOT_ACTIVATED'

export type Standing = { readonly code: 'VALID'; readonly held: Held } | { readonly code: Exclude<StandingCode, 'VALID'> }

export const standingOf = (order: ExistingOrder, client: ClientRef, now: Date): Standing => {
  if (!order.terms.enabled) return { code: 'DISABLED' }
  if (isExpired(order, now)) return { code: 'EXPIRED' }
  const activation = activationOf(order.usage, client)
  if (activation !== undefined) return { code: 'VALID', held: { kind: 'activation', activation } }
  const seat = seatOf(order.usage, client)
  if (seat !== undefined && !lapsed(seat, now)) return { code: 'VALID', held: { kind: 'seat', seat } }
  if (seat !== undefined) return { code: 'HEARTBEAT_DEAD' }
  const ended = order.usage.lastEnds[clientKey(client)]
  if (ended !== undefined) return { code: ended.reason === 'expired' ? 'HEARTBEAT_DEAD' : 'TOKEN_REVOKED' }
  // The client holds the license, but from another machine.
  const elsewhere = [...activationsOf(order.usage), ...liveSeats(order.usage, now)].some((held) => held.clientId === client.clientId)
  if (elsewhere) return { code: 'FINGERPRINT_MISMATCH' }
  return { code: order.terms.license_type === 'network' ? 'NO_SEAT' : 'NOT_ACTIVATED' }
}
