// What every decision on a license's use shares: its context, what a
// decision is, a license fit for new use, and the expiry of lapsed seats
// written first, with the time each lease ended, before deciding on the rest.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { TimeContext } from '../decider.js'
import type { OrderEvent } from './events.js'
import { lapsedSeats } from './occupancy.js'
import { evolveOrder, type ExistingOrder, type OrderState } from './state.js'
import type { UsageError } from './usage-errors.js'
import { isExpired, licenseExpiry } from './validity.js'

export interface UsageContext extends TimeContext {
  /** The id a new activation or seat gets (also its token's id). */
  readonly newId: string
}

export type Decision = E.Either<UsageError, readonly OrderEvent[]>

/** How one command is decided on an order that exists. */
export type Decide<C> = (command: C, order: ExistingOrder, context: UsageContext) => Decision

/** A disabled order or an expired license cannot be put to new use. */
export const usable = (order: ExistingOrder, now: Date): E.Either<UsageError, ExistingOrder> => {
  if (!order.terms.enabled) return E.left({ _tag: 'OrderDisabled', orderId: order.orderId })
  if (isExpired(order, now)) {
    return E.left({ _tag: 'LicenseExpired', orderId: order.orderId, expiredAt: licenseExpiry(order, now)!.toISOString() })
  }
  return E.right(order)
}

/** The expiry of every lapsed seat, each at the moment its lease ran out. */
export const expiriesOf = (order: ExistingOrder, now: Date): readonly OrderEvent[] =>
  lapsedSeats(order.usage, now).map((seat) => ({
    type: 'SeatExpired',
    data: { orderId: order.orderId, seatId: seat.seatId, clientId: seat.clientId, machineId: seat.machineId, at: seat.leaseExpiresAt, recordedAt: now.toISOString() },
  }))

const apply = (order: ExistingOrder, events: readonly OrderEvent[]): ExistingOrder => events.reduce(evolveOrder, order as OrderState) as ExistingOrder

/** The lapsed seats' expiry first, then `decide` on the order they leave. */
export const afterExpiries = (order: ExistingOrder, now: Date, decide: (after: ExistingOrder) => Decision): Decision => {
  const expiries = expiriesOf(order, now)
  return pipe(
    decide(apply(order, expiries)),
    E.map((events) => [...expiries, ...events]),
  )
}
