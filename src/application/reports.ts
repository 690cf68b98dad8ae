// Compliance reports, computed from a license's own events when asked for:
// its order's stream, and for the seats still held, their own streams' leases.
import { leaseOf, OrderEvent, orderStream, seatUsage, seatUsageDetail, type Lease, type Period, type SeatUsageDetail, type SeatUsageRow } from '../domain/order/index.js'
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
  /**
   * The order's events, and the lease end of each seat still held, from the
   * seat's own stream. The seats still held are found by the report's own
   * reading of grants and ends, not by folding the whole order: a year of
   * usage is read once, cheaply.
   */
  const history = async (orderId: string) => {
    const recorded = await store.readStream(orderStream(orderId))
    const events = recorded.map((r) => decodeRecorded(r).event).filter(OrderEvent.is)
    const held = new Map<string, Lease>()
    for (const e of events) {
      if (e.type === 'SeatGranted' || (e.type === 'SeatLeaseRenewed' && held.has(e.data.seatId))) {
        held.set(e.data.seatId, { renewedAt: e.data.at, leaseExpiresAt: e.data.leaseExpiresAt, heartbeatIntervalSeconds: e.data.heartbeatIntervalSeconds })
      } else if (e.type === 'SeatReleased' || e.type === 'SeatExpired') held.delete(e.data.seatId)
      else if (e.type === 'LicenseTokenRevoked' && e.data.kind === 'seat') held.delete(e.data.tokenId)
    }
    const leaseEnds = await Promise.all(
      [...held].map(async ([seatId, lease]) => [seatId, leaseOf(lease, (await load(SeatAggregate, seatStream(seatId))).state).leaseExpiresAt] as const),
    )
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
