// The counters seed 001 shows on an order: the machines activated on it
// (node-locked activations; floating seats come and go and are not counted
// here) and the deactivations it has left.
import { activationsOf, deactivationsLeft } from './occupancy.js'
import type { ExistingOrder } from './state.js'

export interface OrderCounters {
  readonly activatedLicenses: number
  /** null: deactivations are not limited. */
  readonly deactivationsLeft: number | null
}

export const orderCounters = (order: ExistingOrder): OrderCounters => ({
  activatedLicenses: activationsOf(order.usage).length,
  deactivationsLeft: deactivationsLeft(order),
})
