// Who holds a place on a license at a given moment. Node-locked activations
// and live floating seats share the order's activations_allowed: whatever
// the mix, no more than that many clients use the license at once. A seat
// whose lease ran out holds nothing, whether or not its expiry is written yet.
// Counts and the client's own seat come from the order's counters and index,
// not from a walk over its seats, so they cost the same on any license.
import { lapsed } from './lease.js'
import { clientKey } from './machine.js'
import { ownEntry } from './meters.js'
import type { ExistingOrder } from './state.js'
import type { Activation, OrderUsage, Seat } from './usage.js'

export interface ClientRef {
  readonly clientId: string
  readonly machineId: string
}

/** A held seat with its lease as its own stream leaves it, when the order a reply is made from knows it (usage.ts, SeatStreams). */
export const heldSeat = (usage: OrderUsage, seatId: string): Seat | undefined => {
  const seat = ownEntry(usage.seats, seatId)
  const lease = seat === undefined ? undefined : ownEntry(usage.streams?.leases, seatId)
  if (lease === undefined) return seat
  const { renewedAt, leaseExpiresAt, heartbeatIntervalSeconds, renewedMs, expiresMs } = lease
  return { ...seat!, renewedAt, leaseExpiresAt, heartbeatIntervalSeconds, renewedMs, expiresMs }
}

/** Whether no held seat can have died by `now`: the order a reply is made from says so (usage.ts, SeatStreams). */
const noneDead = (usage: OrderUsage, now: Date): boolean => usage.streams !== undefined && usage.streams.noneDieBefore > now.getTime()

export const liveSeats = (usage: OrderUsage, now: Date): readonly Seat[] => {
  if (usage.streams === undefined) return Object.values(usage.seats).filter((seat) => !lapsed(seat, now))
  const seats = Object.keys(usage.seats).map((seatId) => heldSeat(usage, seatId)!)
  if (noneDead(usage, now)) return seats
  // A seat whose stream the reply did not read is counted live: over-counted for a moment, never under-counted.
  const read = usage.streams.leases
  return seats.filter((seat) => ownEntry(read, seat.seatId) === undefined || !lapsed(seat, now))
}

export const activationsOf = (usage: OrderUsage): readonly Activation[] => Object.values(usage.activations)

/**
 * Places a decision counts as taken: activations, and every seat the order
 * still holds, until its end is recorded. A seat's renewals live in its own
 * stream, so the order cannot tell a lapsed seat from one renewed elsewhere:
 * it counts it until the seat's stream has ended it (liveness.ts).
 */
export const placesTaken = (order: ExistingOrder): number => activationsOf(order.usage).length + order.usage.seatCount

/** Places taken now, as a client is told: activations plus live seats. */
export const occupied = (order: ExistingOrder, now: Date): number =>
  activationsOf(order.usage).length + (noneDead(order.usage, now) ? order.usage.seatCount : liveSeats(order.usage, now).length)

export const limitOf = (order: ExistingOrder): number => order.terms.activations_allowed

const sameClient = (ref: ClientRef) => (held: ClientRef) => clientKey(held) === clientKey(ref)

/** The client's seat (it may have lapsed), found by the order's index. */
export const seatOf = (usage: OrderUsage, ref: ClientRef): Seat | undefined => {
  const seatId = ownEntry(usage.seatsByClient, clientKey(ref))
  return seatId === undefined ? undefined : heldSeat(usage, seatId)
}

export const activationOf = (usage: OrderUsage, ref: ClientRef): Activation | undefined => activationsOf(usage).find(sameClient(ref))

/** null: deactivations are not limited. */
export const deactivationsLeft = (order: ExistingOrder): number | null => {
  const allowed = order.terms.deactivations_allowed
  return allowed === null ? null : Math.max(0, allowed - order.usage.deactivations)
}
