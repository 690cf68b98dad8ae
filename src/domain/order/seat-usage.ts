// Seat usage for compliance, computed from a license's own events: for each
// hour or day of a period, the most seats held at once, the seat-hours used,
// and the grants, releases, expiries and denials. Because it reads the
// events, a report can be made for any past period, also one before the
// report existed.
import type { OrderEvent } from './events.js'
import { ownEntry } from './meters.js'

export type Bucket = 'hour' | 'day'

export interface SeatUsageRow {
  /** ISO instants; the first and last rows are clipped to the period. */
  readonly start: string
  readonly end: string
  readonly peakSeats: number
  readonly seatHours: number
  readonly grants: number
  readonly releases: number
  /** Seats whose lease ran out, counted when it ran out. */
  readonly expiries: number
  /** Requests refused because no seat was free, as recorded (at most one per client and machine per minute). */
  readonly denials: number
}

export interface Period {
  readonly from: Date
  readonly to: Date
  readonly bucket: Bucket
  /** Seats still held are counted up to now; a lapsed lease nobody recorded yet ends when it ran out. */
  readonly now: Date
}

export const BUCKET_MS: Readonly<Record<Bucket, number>> = { hour: 3_600_000, day: 86_400_000 }

/** The most buckets one report may have (a year of hours, and some). */
export const MAX_BUCKETS = 10_000

export const bucketCount = (period: Pick<Period, 'from' | 'to' | 'bucket'>): number => {
  const size = BUCKET_MS[period.bucket]
  const first = Math.floor(period.from.getTime() / size) * size
  return Math.max(0, Math.ceil((period.to.getTime() - first) / size))
}

/** A seat's holder, as its grant recorded it. */
export interface SeatHolder {
  readonly seatId: string
  readonly clientId: string
  readonly machineId: string
  readonly clientName: string | null
}

/** One seat's tenure: from its grant (epoch ms) to its end. */
export interface SeatTenure {
  readonly start: number
  readonly end: number
  readonly holder: SeatHolder
}

const ms = (iso: string): number => Date.parse(iso)

/**
 * When each seat was held: from its grant to its release, expiry (the lease
 * end) or revocation. A seat still held ends at its lease's end: the one its
 * own stream gives (`leaseEnds`, by seat id), else the order's last record.
 */
export const heldIntervals = (events: readonly OrderEvent[], now: number, leaseEnds: Readonly<Record<string, string>>): SeatTenure[] => {
  const open = new Map<string, { start: number; leaseEnd: number; holder: SeatHolder }>()
  const held: SeatTenure[] = []
  const close = (seatId: string, at: number): void => {
    const seat = open.get(seatId)
    if (seat === undefined) return
    open.delete(seatId)
    held.push({ start: seat.start, end: Math.max(seat.start, at), holder: seat.holder })
  }
  for (const event of events) {
    switch (event.type) {
      case 'SeatGranted':
        open.set(event.data.seatId, {
          start: ms(event.data.at),
          leaseEnd: ms(event.data.leaseExpiresAt),
          holder: { seatId: event.data.seatId, clientId: event.data.clientId, machineId: event.data.machineId, clientName: event.data.clientName },
        })
        break
      case 'SeatLeaseRenewed': {
        const seat = open.get(event.data.seatId)
        if (seat !== undefined) seat.leaseEnd = ms(event.data.leaseExpiresAt)
        break
      }
      case 'SeatReleased':
      case 'SeatExpired':
        close(event.data.seatId, ms(event.data.at))
        break
      case 'LicenseTokenRevoked':
        if (event.data.kind === 'seat') close(event.data.tokenId, ms(event.data.at))
        break
      default:
        break
    }
  }
  for (const [seatId, seat] of open) {
    const own = ownEntry(leaseEnds, seatId)
    close(seatId, Math.min(own === undefined ? seat.leaseEnd : ms(own), now))
  }
  return held
}

const countIn = (times: readonly number[], start: number, end: number): number => times.filter((t) => t >= start && t < end).length

/** Most seats held at once within [start, end): a sweep over grant and end instants, ends first at a tie. */
const peakIn = (held: readonly SeatTenure[], start: number, end: number): number => {
  let current = held.filter((h) => h.start <= start && h.end > start).length
  let peak = current
  const changes: [number, number][] = []
  for (const h of held) {
    if (h.start > start && h.start < end) changes.push([h.start, +1])
    // Every seat that ends inside was counted, at the start or by its grant inside.
    if (h.end > start && h.end < end) changes.push([h.end, -1])
  }
  changes.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  for (const [, delta] of changes) {
    current += delta
    peak = Math.max(peak, current)
  }
  return peak
}

const overlapMs = (held: readonly SeatTenure[], start: number, end: number): number =>
  held.reduce((sum, h) => sum + Math.max(0, Math.min(h.end, end) - Math.max(h.start, start)), 0)

export const seatUsage = (events: readonly OrderEvent[], period: Period, leaseEnds: Readonly<Record<string, string>> = {}): readonly SeatUsageRow[] => {
  const size = BUCKET_MS[period.bucket]
  const from = period.from.getTime()
  const to = period.to.getTime()
  const held = heldIntervals(events, period.now.getTime(), leaseEnds)
  const times = (types: readonly OrderEvent['type'][]): number[] =>
    events.filter((e) => types.includes(e.type) && (e.type !== 'LicenseTokenRevoked' || e.data.kind === 'seat')).map((e) => ms(e.data.at))
  const grants = times(['SeatGranted'])
  const releases = times(['SeatReleased', 'LicenseTokenRevoked'])
  const expiries = times(['SeatExpired'])
  const denials = times(['SeatRequestDenied'])

  const rows: SeatUsageRow[] = []
  for (let bucket = Math.floor(from / size) * size; bucket < to; bucket += size) {
    const start = Math.max(bucket, from)
    const end = Math.min(bucket + size, to)
    rows.push({
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      peakSeats: peakIn(held, start, end),
      seatHours: Math.round((overlapMs(held, start, end) / 3_600_000) * 10_000) / 10_000,
      grants: countIn(grants, start, end),
      releases: countIn(releases, start, end),
      expiries: countIn(expiries, start, end),
      denials: countIn(denials, start, end),
    })
  }
  return rows
}
