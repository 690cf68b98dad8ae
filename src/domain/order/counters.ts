// The counters seed 001 shows on an order. No machine can be activated yet
// (activations arrive with the seat API), so none are counted and every
// allowed deactivation is left.
import type { ExistingOrder } from './state.js'

export interface OrderCounters {
  readonly activatedLicenses: number
  /** null: deactivations are not limited. */
  readonly deactivationsLeft: number | null
}

export const orderCounters = (order: ExistingOrder): OrderCounters => ({
  activatedLicenses: 0,
  deactivationsLeft: order.terms.deactivations_allowed,
})
