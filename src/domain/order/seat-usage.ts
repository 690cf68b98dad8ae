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
  /** Still held at the end: the end is the instant the report counts up to (`now`), not a release. */
  readonly open: boolean
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
  const close = (seatId: string, at: number, stillHeld = false): void => {
    const seat = open.get(seatId)
    if (seat === undefined) return
    open.delete(seatId)
    held.push({ start: seat.start, end: Math.max(seat.start, at), open: stillHeld, holder: seat.holder })
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
    held.push(stillHeld(seat.start, own === undefined ? seat.leaseEnd : ms(own), now, seat.holder))
  }
  return held
}

/** A seat no release, expiry or revocation ended: held until its lease's end, or until `now` when that is later. */
export const stillHeld = (start: number, leaseEnd: number, now: number, holder: SeatHolder): SeatTenure => ({
  start,
  end: Math.max(start, Math.min(leaseEnd, now)),
  open: leaseEnd >= now,
  holder,
})

/** The first index of the sorted times at or after `at`. */
const firstFrom = (sorted: readonly number[], at: number): number => {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (sorted[mid]! < at) low = mid + 1
    else high = mid
  }
  return low
}

/** How many of the sorted times fall in [start, end). */
const countIn = (sorted: readonly number[], start: number, end: number): number => firstFrom(sorted, end) - firstFrom(sorted, start)

/** Held at its end instant too: a seat still held at `now`, or one granted and ended at one instant (held then, for no time). */
const heldThrough = (h: SeatTenure): boolean => h.open || h.end === h.start

/** Whether the seat is held at the instant: from its grant until its end (at its end too, when it is held through it). */
export const heldAt = (h: SeatTenure, at: number): boolean => h.start <= at && (h.end > at || (heldThrough(h) && h.end === at))

/**
 * Most seats held at once within [start, end), and the first instant that
 * many were: a sweep over grant and end instants. At a tie, seats that end go
 * first (a release at the instant of another's grant does not overlap it),
 * then grants, then the ends of seats held through them (a seat granted at
 * the instant the report counts up to is held then, beside the others).
 */
export const peakOf = (held: readonly SeatTenure[], start: number, end: number): { readonly at: number; readonly count: number } => {
  let current = 0
  // [instant, change, rank at a tie]
  const changes: [number, number, number][] = []
  for (const h of held) {
    const rank = heldThrough(h) ? 2 : 0
    if (heldAt(h, start)) {
      current += 1
      if (h.end < end && (h.end > start || heldThrough(h))) changes.push([h.end, -1, rank])
    } else if (h.start > start && h.start < end) {
      changes.push([h.start, +1, 1])
      if (h.end < end) changes.push([h.end, -1, rank])
    }
  }
  let best = { at: start, count: current }
  changes.sort((a, b) => a[0] - b[0] || a[2] - b[2])
  for (const [at, delta] of changes) {
    current += delta
    if (current > best.count) best = { at, count: current }
  }
  return best
}

/**
 * Each bucket of the period, [start, end) clipped to it, with the seats that
 * matter to it: granted before its end and not ended before its start. One
 * pass over the seats sorted by grant, so a year of them costs the same per
 * bucket as a day (a report reads them once, not once per bucket).
 */
export const eachBucket = (held: readonly SeatTenure[], period: Pick<Period, 'from' | 'to' | 'bucket'>, visit: (start: number, end: number, present: readonly SeatTenure[]) => void): void => {
  const size = BUCKET_MS[period.bucket]
  const from = period.from.getTime()
  const to = period.to.getTime()
  const byGrant = [...held].sort((a, b) => a.start - b.start)
  let next = 0
  let present: SeatTenure[] = []
  for (let bucket = Math.floor(from / size) * size; bucket < to; bucket += size) {
    const start = Math.max(bucket, from)
    const end = Math.min(bucket + size, to)
    while (next < byGrant.length && byGrant[next]!.start < end) present.push(byGrant[next++]!)
    // A seat that ended before this bucket (or at its start, unless held through its end) matters to no later one.
    present = present.filter((h) => h.end > start || (heldThrough(h) && h.end === start))
    visit(start, end, present)
  }
}

const overlapMs = (held: readonly SeatTenure[], start: number, end: number): number =>
  held.reduce((sum, h) => sum + Math.max(0, Math.min(h.end, end) - Math.max(h.start, start)), 0)

/** The instants (epoch ms, sorted) a report counts per bucket, as the events recorded them. */
export interface SeatMarks {
  readonly grants: readonly number[]
  /** Releases and revocations of seats. */
  readonly releases: readonly number[]
  readonly expiries: readonly number[]
  readonly denials: readonly number[]
}

export const seatMarks = (events: readonly OrderEvent[]): SeatMarks => {
  const times = (types: readonly OrderEvent['type'][]): number[] =>
    events
      .filter((e) => types.includes(e.type) && (e.type !== 'LicenseTokenRevoked' || e.data.kind === 'seat'))
      .map((e) => ms(e.data.at))
      .sort((a, b) => a - b)
  return {
    grants: times(['SeatGranted']),
    releases: times(['SeatReleased', 'LicenseTokenRevoked']),
    expiries: times(['SeatExpired']),
    denials: times(['SeatRequestDenied']),
  }
}

/**
 * The report from the tenures and marks that matter to its period (the seats
 * held at its start or granted within it, the marks within it): what a read
 * model indexed by time gives, so a period costs what it holds.
 */
export const seatUsageOf = (held: readonly SeatTenure[], marks: SeatMarks, period: Pick<Period, 'from' | 'to' | 'bucket'>): readonly SeatUsageRow[] => {
  const rows: SeatUsageRow[] = []
  eachBucket(held, period, (start, end, present) => {
    rows.push({
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      peakSeats: peakOf(present, start, end).count,
      seatHours: Math.round((overlapMs(present, start, end) / 3_600_000) * 10_000) / 10_000,
      grants: countIn(marks.grants, start, end),
      releases: countIn(marks.releases, start, end),
      expiries: countIn(marks.expiries, start, end),
      denials: countIn(marks.denials, start, end),
    })
  })
  return rows
}

export const seatUsage = (events: readonly OrderEvent[], period: Period, leaseEnds: Readonly<Record<string, string>> = {}): readonly SeatUsageRow[] =>
  seatUsageOf(heldIntervals(events, period.now.getTime(), leaseEnds), seatMarks(events), period)
