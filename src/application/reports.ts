// Compliance reports, computed from a license's own events when asked for:
// its order's stream, and for the seats still held, their own streams' leases.
import { fold } from '../domain/decider.js'
import { evolveOrder, initialOrderState, leaseOf, OrderEvent, orderStream, seatUsage, seatUsageDetail, type Period, type SeatUsageDetail, type SeatUsageRow } from '../domain/order/index.js'
import { seatStream } from '../domain/seat/index.js'
import type { EventStore } from '../store/port.js'
import { SeatAggregate } from './aggregates.js'
import type { Load } from './command-handler.js'
import { decodeRecorded } from './event-codec.js'

export interface SeatUsageReport {
  readonly rows: readonly SeatUsageRow[]
  /** Per row, when asked for: the peak's instant, its holders, the cap. */
  readonly details: readonly SeatUsageDetail[] | null
}

export const createReports = (store: EventStore, load: Load) => {
  /** The order's events, and the lease end of each seat still held, from the seat's own stream. */
  const history = async (orderId: string) => {
    const recorded = await store.readStream(orderStream(orderId))
    const events = recorded.map((r) => decodeRecorded(r).event).filter(OrderEvent.is)
    const order = fold(evolveOrder, initialOrderState)(events)
    const held = order.exists ? Object.values(order.usage.seats) : []
    const leaseEnds = await Promise.all(held.map(async (seat) => [seat.seatId, leaseOf(seat, (await load(SeatAggregate, seatStream(seat.seatId))).state).leaseExpiresAt] as const))
    return { events, leaseEnds: Object.fromEntries(leaseEnds) }
  }
  return {
    seatUsage: async (orderId: string, period: Period, withDetails = false): Promise<SeatUsageReport> => {
      const { events, leaseEnds } = await history(orderId)
      return { rows: seatUsage(events, period, leaseEnds), details: withDetails ? seatUsageDetail(events, period, leaseEnds) : null }
    },
  }
}
export type Reports = ReturnType<typeof createReports>
