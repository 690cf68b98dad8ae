// State as it was at an instant: a stream's events recorded up to then,
// folded with the aggregate's own evolve (the fold the command side and the
// projections use, stopped early). No read model is involved, so the answer
// is exactly what the log says.
import { activationKeyStream } from '../domain/activation-key/index.js'
import { customerStream } from '../domain/customer/index.js'
import type { DomainEvent } from '../domain/events.js'
import { orderStream, withLiveness, type ExistingOrder } from '../domain/order/index.js'
import { seatStream } from '../domain/seat/index.js'
import { productTemplateStream } from '../domain/product-template/index.js'
import type { EventStore } from '../store/port.js'
import type { StreamType } from './aggregate.js'
import { ActivationKeyAggregate, CustomerAggregate, OrderAggregate, ProductTemplateAggregate, SeatAggregate } from './aggregates.js'
import type { ExistingCustomer, ExistingProductTemplate } from './customers.js'
import { decodeRecorded, EventDecodeError } from './event-codec.js'

const PAGE = 1_000

export interface LicenseOrderAt {
  readonly order: ExistingOrder
  readonly customer: ExistingCustomer | null
  readonly template: ExistingProductTemplate | null
}

export const createPointInTime = (store: EventStore) => {
  /**
   * The stream's state after the events recorded at or before `at`. A stream
   * is read in order and the fold stops at its first later event: what came
   * after it was decided on it, even if a clock said otherwise.
   */
  const stateAt = async <State, Event extends DomainEvent>(type: StreamType<State, Event>, streamName: string, at: Date): Promise<State> => {
    let state = type.decider.initialState
    for (let fromRevision = 0; ; ) {
      const page = await store.readStream(streamName, { fromRevision, maxCount: PAGE })
      // The next page starts after the last revision read: a stream trimmed by retention starts above 0.
      if (page.length > 0) fromRevision = page[page.length - 1]!.revision + 1
      for (const recorded of page) {
        if (recorded.recordedAt.getTime() > at.getTime()) return state
        const { event } = decodeRecorded(recorded)
        if (!type.events.is(event)) throw new EventDecodeError(recorded, `not an event of the ${type.name} aggregate`)
        state = type.decider.evolve(state, event)
      }
      if (page.length < PAGE) return state
    }
  }

  /**
   * The license order that had this activation key at `at` (the key's own
   * stream says which order held it; that order's state says it used it),
   * with its customer and product template as they were then; null when none had it.
   */
  const licenseOrderAt = async (activationKey: string, at: Date): Promise<LicenseOrderAt | null> => {
    const key = await stateAt(ActivationKeyAggregate, activationKeyStream(activationKey), at)
    if (key.holder === null) return null
    const recorded = await stateAt(OrderAggregate, orderStream(key.holder), at)
    if (!recorded.exists || recorded.activationKey !== activationKey) return null
    const seats = await Promise.all(Object.keys(recorded.usage.seats).map(async (seatId) => [seatId, await stateAt(SeatAggregate, seatStream(seatId), at)] as const))
    const order = withLiveness(recorded, Object.fromEntries(seats))
    const [customer, template] = await Promise.all([
      stateAt(CustomerAggregate, customerStream(order.terms.customer_id), at),
      stateAt(ProductTemplateAggregate, productTemplateStream(order.terms.product_template_id), at),
    ])
    return { order, customer: customer.exists ? customer : null, template: template.exists ? template : null }
  }

  return { stateAt, licenseOrderAt }
}
export type PointInTime = ReturnType<typeof createPointInTime>
