// What a license order learns from its seats' own streams (src/domain/seat/).
// The order's stream records what the seat cap and the audit need (grants,
// releases, expiries, denials); each seat's renewals live in a stream of its
// own, so a decision on the order is handed what those streams say: a seat's
// lease is the later of the order's record and its stream's, and the order
// records a seat's end only once the seat's stream has it. A seat whose lease
// ran out but whose stream has not ended it yet is still counted as held: an
// order may over-count a seat for a moment, never under-count it. A decision
// is handed only the streams it needs (the client's own, the ended ones; all
// of them only now and then): what it costs does not grow with the seats.
import type { OrderEvent } from './events.js'
import { deadAt, type Leased, type LeaseTimes } from './lease.js'
import { ownEntry } from './meters.js'
import type { ExistingOrder } from './state.js'
import type { Seat } from './usage.js'

/** A lease as the order or a seat's stream last wrote it. */
export type Lease = Leased

export type SeatEndReason = 'expired' | 'released' | 'revoked'

export interface SeatEnding {
  readonly reason: SeatEndReason
  /** When the seat ended: for an expiry, the moment its lease ran out. */
  readonly at: string
}

/** A seat's stream as a decision on its order sees it. */
export interface SeatLiveness {
  /** The last lease its stream wrote, its times as numbers; null: none yet (the order's record stands). */
  readonly lease: LeaseTimes | null
  /** How its stream ended it; null: it did not. */
  readonly ended: SeatEnding | null
}

/** By seat id; a seat not in it is known only by the order's record. */
export type Liveness = Readonly<Record<string, SeatLiveness>>

const ms = (iso: string): number => Date.parse(iso)

/** A seat's lease as its own stream leaves it, in numbers: the later write wins, and an ended seat's lease ends when it did. */
export const leaseTimesOf = (seat: LeaseTimes, liveness: SeatLiveness | undefined): LeaseTimes => {
  const own = liveness?.lease ?? null
  const later = own !== null && own.renewedMs >= seat.renewedMs ? own : seat
  const ended = liveness?.ended ?? null
  const endedMs = ended === null ? Infinity : ms(ended.at)
  return endedMs < later.expiresMs ? { renewedMs: later.renewedMs, expiresMs: endedMs, heartbeatIntervalSeconds: later.heartbeatIntervalSeconds } : later
}

/** leaseOf with its times as a reply gives them: the order's own strings where its record stands, formatted where the stream's lease wins. */
export const leaseOf = (seat: Lease, liveness: SeatLiveness | undefined): Lease => {
  const { renewedMs, expiresMs, heartbeatIntervalSeconds } = leaseTimesOf(seat, liveness)
  const ended = liveness?.ended ?? null
  const renewedAt = renewedMs === seat.renewedMs ? seat.renewedAt : new Date(renewedMs).toISOString()
  const leaseExpiresAt = expiresMs === seat.expiresMs ? seat.leaseExpiresAt : ended !== null && expiresMs === ms(ended.at) ? ended.at : new Date(expiresMs).toISOString()
  return { renewedAt, leaseExpiresAt, heartbeatIntervalSeconds, renewedMs, expiresMs }
}

/**
 * Seats as their streams leave them, by the stream's state: the same seat
 * record and the same state (both immutable) give the very same seat, so a
 * reply keeps what it made of a seat (seed 002's info, its encoded entry) for
 * as long as the seat is the same object, and a renewed lease is formatted
 * once, not on every reply. A cache of a pure function, keyed by its inputs'
 * identity: it lives as long as the stream's state does.
 */
const seatsByStream = new WeakMap<SeatLiveness, { readonly seat: Seat; readonly merged: Seat }>()

/** The seat with its lease as its stream leaves it: the seat itself when the stream changes nothing. */
export const seatWithLiveness = (seat: Seat, own: SeatLiveness | undefined): Seat => {
  if (own === undefined) return seat
  const kept = seatsByStream.get(own)
  if (kept !== undefined && kept.seat === seat) return kept.merged
  const lease = leaseOf(seat, own)
  const same =
    lease.renewedAt === seat.renewedAt &&
    lease.leaseExpiresAt === seat.leaseExpiresAt &&
    lease.heartbeatIntervalSeconds === seat.heartbeatIntervalSeconds &&
    lease.renewedMs === seat.renewedMs &&
    lease.expiresMs === seat.expiresMs
  const merged = same ? seat : { ...seat, ...lease }
  seatsByStream.set(own, { seat, merged })
  return merged
}

/**
 * The order with every seat's lease as its stream leaves it (a walk over the
 * seats): what a full answer about them is made from. The order itself when
 * no stream changes a seat; else its seats copied, each the one
 * seatWithLiveness keeps.
 */
export const withLiveness = (order: ExistingOrder, liveness: Liveness): ExistingOrder => {
  const recorded = order.usage.seats
  const ids = Object.keys(recorded)
  const merged: Seat[] = new Array<Seat>(ids.length)
  let changed = false
  for (let i = 0; i < ids.length; i++) {
    const seat = recorded[ids[i]!]!
    merged[i] = seatWithLiveness(seat, ownEntry(liveness, ids[i]!))
    changed ||= merged[i] !== seat
  }
  if (!changed) return order
  const seats = Object.fromEntries(ids.map((seatId, i) => [seatId, merged[i]!]))
  return { ...order, usage: { ...order.usage, seats } }
}

/**
 * The order as a reply is made from it, without a walk over its seats: the
 * leases of the seats whose streams the decision read, and `noneDieBefore`,
 * a moment before which no held seat dies (see earliestDeath), so live seats
 * are counted from the order's count (occupancy.ts).
 */
export const withStreams = (order: ExistingOrder, liveness: Liveness, noneDieBefore: number): ExistingOrder => {
  const leases: Record<string, Lease> = {}
  for (const [seatId, own] of Object.entries(liveness)) {
    const seat = ownEntry(order.usage.seats, seatId)
    if (seat !== undefined) Object.defineProperty(leases, seatId, { value: leaseOf(seat, own), enumerable: true })
  }
  return { ...order, usage: { ...order.usage, streams: { leases, noneDieBefore } } }
}

/**
 * The earliest moment a held seat its stream did not end dies (its lease as
 * the stream leaves it, grace included; Infinity: none held): a walk over
 * every seat, which a caller makes once and keeps while that moment is ahead.
 */
export const earliestDeath = (order: ExistingOrder, liveness: Liveness): number => {
  let earliest = Infinity
  for (const [seatId, seat] of Object.entries(order.usage.seats)) {
    const own = ownEntry(liveness, seatId)
    if (own?.ended != null) continue
    earliest = Math.min(earliest, deadAt(own === undefined ? seat : leaseTimesOf(seat, own)))
  }
  return earliest
}

/** The fact the order records for a seat its stream ended. */
const endingOf = (order: ExistingOrder, seat: Seat, ended: SeatEnding, now: Date): OrderEvent => {
  const { orderId } = order
  const { seatId, clientId, machineId } = seat
  switch (ended.reason) {
    case 'expired':
      return { type: 'SeatExpired', data: { orderId, seatId, clientId, machineId, at: ended.at, recordedAt: now.toISOString() } }
    case 'released':
      return { type: 'SeatReleased', data: { orderId, seatId, clientId, machineId, at: ended.at } }
    case 'revoked':
      return {
        type: 'LicenseTokenRevoked',
        data: { orderId, tokenId: seatId, kind: 'seat', clientId, machineId, clientName: seat.clientName, issuedAt: seat.grantedAt, at: ended.at },
      }
  }
}

/** The end of every seat the order holds and its stream ended, in the order they ended (a walk over the streams given, not the seats). */
export const endingsOf = (order: ExistingOrder, now: Date, liveness: Liveness): readonly OrderEvent[] =>
  Object.entries(liveness)
    .flatMap(([seatId, own]) => {
      const seat = ownEntry(order.usage.seats, seatId)
      return seat === undefined || own.ended == null ? [] : [{ seat, ended: own.ended }]
    })
    .sort((a, b) => ms(a.ended.at) - ms(b.ended.at) || a.seat.seatId.localeCompare(b.seat.seatId))
    .map(({ seat, ended }) => endingOf(order, seat, ended, now))
