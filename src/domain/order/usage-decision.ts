// What every decision on a license's use shares: its context, what a
// decision is, a license fit for new use, and the ends of seats that their
// own streams ended, written first, before deciding on the rest.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { TimeContext } from '../decider.js'
import type { OrderEvent } from './events.js'
import { endingsOf, type Liveness } from './liveness.js'
import { evolveOrder, type ExistingOrder, type OrderState } from './state.js'
import type { UsageError } from './usage-errors.js'
import { isExpired, licenseExpiry } from './validity.js'

export interface UsageContext extends TimeContext {
  /** The id a new activation or seat gets (also its token's id). */
  readonly newId: string
  /**
   * What the seats' own streams say (liveness.ts), for those the caller read:
   * the ended ones among them are recorded. Absent: nothing is known beyond
   * the order's record, and every seat it records is held.
   */
  readonly liveness?: Liveness
  /** The revision of the order stream's last event the decision is made on (null: none yet); absent where unknown. What a denial records it was decided on. */
  readonly revision?: number | null
}

export type Decision = E.Either<UsageError, readonly OrderEvent[]>

/** How one command is decided on an order that exists, as recorded. */
export type Decide<C> = (command: C, order: ExistingOrder, context: UsageContext) => Decision

/** A disabled order or an expired license cannot be put to new use. */
export const usable = (order: ExistingOrder, now: Date): E.Either<UsageError, ExistingOrder> => {
  if (!order.terms.enabled) return E.left({ _tag: 'OrderDisabled', orderId: order.orderId })
  if (isExpired(order, now)) {
    return E.left({ _tag: 'LicenseExpired', orderId: order.orderId, expiredAt: licenseExpiry(order, now)!.toISOString() })
  }
  return E.right(order)
}

/** The seats their streams ended, as the order records them (expired at the moment the lease ran out). */
export const endings = (order: ExistingOrder, { now, liveness }: UsageContext): readonly OrderEvent[] => endingsOf(order, now, liveness ?? {})

const apply = (order: ExistingOrder, events: readonly OrderEvent[]): ExistingOrder => events.reduce(evolveOrder, order as OrderState) as ExistingOrder

/** The ended seats' ends first, then `decide` on the order they leave. */
export const afterEndings = (order: ExistingOrder, context: UsageContext, decide: (after: ExistingOrder) => Decision): Decision => {
  const ends = endings(order, context)
  return pipe(
    decide(apply(order, ends)),
    E.map((events) => [...ends, ...events]),
  )
}
