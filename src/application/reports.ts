// Compliance reports, computed from a license's own events when asked for:
// its order's stream, and for the seats still held, their own streams' leases.
import { fold } from '../domain/decider.js'
import { evolveOrder, initialOrderState, leaseOf, OrderEvent, orderStream, seatUsage, type Period, type SeatUsageRow } from '../domain/order/index.js'
import { seatStream } from '../domain/seat/index.js'
import type { EventStore } from '../store/port.js'
import { SeatAggregate } from './aggregates.js'
import type { Load } from './command-handler.js'
import { decodeRecorded } from './event-codec.js'

export const createReports = (store: EventStore, load: Load) => ({
  seatUsage: async (orderId: string, period: Period): Promise<readonly SeatUsageRow[]> => {
    const recorded = await store.readStream(orderStream(orderId))
    const events = recorded.map((r) => decodeRecorded(r).event).filter(OrderEvent.is)
    const order = fold(evolveOrder, initialOrderState)(events)
    const held = order.exists ? Object.values(order.usage.seats) : []
    const leaseEnds = await Promise.all(held.map(async (seat) => [seat.seatId, leaseOf(seat, (await load(SeatAggregate, seatStream(seat.seatId))).state).leaseExpiresAt] as const))
    return seatUsage(events, period, Object.fromEntries(leaseEnds))
  },
})
export type Reports = ReturnType<typeof createReports>
