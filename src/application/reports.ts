// Compliance reports, computed from a license's own events when asked for.
import { OrderEvent, orderStream, seatUsage, type Period, type SeatUsageRow } from '../domain/order/index.js'
import type { EventStore } from '../store/port.js'
import { decodeRecorded } from './event-codec.js'

export const createReports = (store: EventStore) => ({
  seatUsage: async (orderId: string, period: Period): Promise<readonly SeatUsageRow[]> => {
    const recorded = await store.readStream(orderStream(orderId))
    const events = recorded.map((r) => decodeRecorded(r).event).filter(OrderEvent.is)
    return seatUsage(events, period)
  },
})
export type Reports = ReturnType<typeof createReports>
