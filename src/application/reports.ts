// Compliance reports: from a read model of the license's seat tenures indexed
// by time (what the API answers from: a period costs what it holds), or
// folded from the license's own events (the reference the read model is
// checked against); for the seats still held, their own streams' leases.
import {
  leased,
  leaseOf,
  OrderEvent,
  orderStream,
  seatUsage,
  seatUsageDetail,
  seatUsageDetailOf,
  seatUsageOf,
  stillHeld,
  type CapChanges,
  type Lease,
  type Period,
  type SeatHolder,
  type SeatMarks,
  type SeatTenure,
  type SeatUsageDetail,
  type SeatUsageRow,
} from '../domain/order/index.js'
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

/** A seat's tenure as the read model holds it: ended (at, in the order's own sequence), or held with its lease as the order last recorded it. */
export interface StoredTenure {
  readonly holder: SeatHolder
  readonly grantedAt: number
  readonly ended: { readonly at: number; readonly rev: number } | null
  readonly grantedRev: number
  readonly lease: Lease
}

/** What a seat-usage report needs of one period of one license. */
export interface SeatPeriod {
  /** The seats held at any instant of [from, to): ended ones in the order they ended, then those still held in the order granted. */
  readonly tenures: readonly StoredTenure[]
  readonly marks: SeatMarks
  readonly caps: CapChanges
}


/** The tenures, marks and caps of one license over [from, to) (epoch ms): the read model's query. */
export type SeatPeriodSource = (orderId: string, from: number, to: number) => SeatPeriod

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
        held.set(e.data.seatId, leased(e.data.at, e.data.leaseExpiresAt, e.data.heartbeatIntervalSeconds))
      } else if (e.type === 'SeatReleased' || e.type === 'SeatExpired') held.delete(e.data.seatId)
      else if (e.type === 'LicenseTokenRevoked' && e.data.kind === 'seat') held.delete(e.data.tokenId)
    }
    const leaseEnds = await Promise.all(
      [...held].map(async ([seatId, lease]) => [seatId, leaseOf(lease, (await load(SeatAggregate, seatStream(seatId))).state).leaseExpiresAt] as const),
    )
    return { events, leaseEnds: Object.fromEntries(leaseEnds) }
  }
  /** A seat still held ends with its lease as its own stream has it (a heartbeat the order has not recorded yet counts). */
  const leaseEnd = async (seatId: string, lease: Lease): Promise<number> =>
    Date.parse(leaseOf(lease, (await load(SeatAggregate, seatStream(seatId))).state).leaseExpiresAt)
  return {
    /** Folded from the license's whole order stream. */
    seatUsageFromLog: async (orderId: string, period: Period, withDetails = false): Promise<SeatUsageReport> => {
      const { events, leaseEnds } = await history(orderId)
      return { rows: seatUsage(events, period, leaseEnds), details: withDetails ? seatUsageDetail(events, period, leaseEnds) : null }
    },
    /** The same report, from the read model's tenures of the period: the same pure functions, fed what the period holds. */
    seatUsage: async (source: SeatPeriodSource, orderId: string, period: Period, withDetails = false): Promise<SeatUsageReport> => {
      const { tenures, marks, caps } = source(orderId, period.from.getTime(), period.to.getTime())
      const now = period.now.getTime()
      const held: SeatTenure[] = await Promise.all(
        tenures.map(async (t) =>
          t.ended === null
            ? stillHeld(t.grantedAt, await leaseEnd(t.holder.seatId, t.lease), now, t.holder)
            : { start: t.grantedAt, end: t.ended.at, open: false, holder: t.holder },
        ),
      )
      return { rows: seatUsageOf(held, marks, period), details: withDetails ? seatUsageDetailOf(held, caps, period) : null }
    },
  }
}
export type Reports = ReturnType<typeof createReports>
