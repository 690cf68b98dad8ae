// Who holds a place on a license at a given moment. Node-locked activations
// and live floating seats share the order's activations_allowed: whatever
// the mix, no more than that many clients use the license at once. A seat
// whose lease ran out holds nothing, whether or not its expiry is written yet.
import { lapsed } from './lease.js'
import { clientKey } from './machine.js'
import type { ExistingOrder } from './state.js'
import type { Activation, OrderUsage, Seat } from './usage.js'

export interface ClientRef {
  readonly clientId: string
  readonly machineId: string
}

export const liveSeats = (usage: OrderUsage, now: Date): readonly Seat[] => Object.values(usage.seats).filter((seat) => !lapsed(seat, now))

export const activationsOf = (usage: OrderUsage): readonly Activation[] => Object.values(usage.activations)

/**
 * Places a decision counts as taken: activations, and every seat the order
 * still holds, until its end is recorded. A seat's renewals live in its own
 * stream, so the order cannot tell a lapsed seat from one renewed elsewhere:
 * it counts it until the seat's stream has ended it (liveness.ts).
 */
export const placesTaken = (order: ExistingOrder): number => activationsOf(order.usage).length + Object.keys(order.usage.seats).length

/** Places taken now, as a client is told: activations plus live seats. */
export const occupied = (order: ExistingOrder, now: Date): number => activationsOf(order.usage).length + liveSeats(order.usage, now).length

export const limitOf = (order: ExistingOrder): number => order.terms.activations_allowed

const sameClient = (ref: ClientRef) => (held: ClientRef) => clientKey(held) === clientKey(ref)

/** The client's seat as recorded (it may have lapsed). */
export const seatOf = (usage: OrderUsage, ref: ClientRef): Seat | undefined => Object.values(usage.seats).find(sameClient(ref))

export const activationOf = (usage: OrderUsage, ref: ClientRef): Activation | undefined => activationsOf(usage).find(sameClient(ref))

/** null: deactivations are not limited. */
export const deactivationsLeft = (order: ExistingOrder): number | null => {
  const allowed = order.terms.deactivations_allowed
  return allowed === null ? null : Math.max(0, allowed - order.usage.deactivations)
}
