// What a seat-usage chart shows beside the counts: for each bucket of a
// report, the instant its peak was first reached, who held the seats then,
// and the cap in force. Aggregated per bucket like the report itself, so a
// year of history is a few hundred rows, never the events.
import type { OrderEvent } from './events.js'
import { eachBucket, heldAt, heldIntervals, peakOf, type Period, type SeatHolder, type SeatTenure } from './seat-usage.js'

export interface SeatUsageDetail {
  readonly start: string
  readonly end: string
  /** The first instant in the bucket at which its peak was held; null when no seat was held. */
  readonly peakAt: string | null
  /** Who held the seats at `peakAt`, in the order they were granted. */
  readonly holders: readonly SeatHolder[]
  /** The order's activations_allowed in force at the end of the bucket (the last change within it); null before the order existed. */
  readonly seatsAllowed: number | null
}

/** Each change of the cap, in the order recorded: [epoch ms, activations_allowed]. */
export type CapChanges = readonly (readonly [number, number])[]

export const capChanges = (events: readonly OrderEvent[]): CapChanges =>
  events.flatMap((e) => (e.type === 'OrderCreated' || e.type === 'OrderUpdated' ? [[Date.parse(e.data.at), e.data.terms.activations_allowed] as const] : []))

/** The details from the tenures that matter to the period and the cap's changes up to its end (see seatUsageOf). */
export const seatUsageDetailOf = (held: readonly SeatTenure[], caps: CapChanges, period: Pick<Period, 'from' | 'to' | 'bucket'>): readonly SeatUsageDetail[] => {
  let capIndex = -1
  const rows: SeatUsageDetail[] = []
  eachBucket(held, period, (start, end, present) => {
    while (capIndex + 1 < caps.length && caps[capIndex + 1]![0] < end) capIndex += 1
    const peak = peakOf(present, start, end)
    rows.push({
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      peakAt: peak.count === 0 ? null : new Date(peak.at).toISOString(),
      // In the order they were granted.
      holders: peak.count === 0 ? [] : present.filter((h) => heldAt(h, peak.at)).map((h) => h.holder),
      seatsAllowed: capIndex < 0 ? null : caps[capIndex]![1],
    })
  })
  return rows
}

export const seatUsageDetail = (events: readonly OrderEvent[], period: Period, leaseEnds: Readonly<Record<string, string>> = {}): readonly SeatUsageDetail[] =>
  seatUsageDetailOf(heldIntervals(events, period.now.getTime(), leaseEnds), capChanges(events), period)
