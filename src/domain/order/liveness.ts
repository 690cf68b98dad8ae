// What a license order learns from its seats' own streams (src/domain/seat/).
// The order's stream records what the seat cap and the audit need (grants,
// releases, expiries, denials); each seat's renewals live in a stream of its
// own, so a decision on the order is handed what those streams say: a seat's
// lease is the later of the order's record and its stream's, and the order
// records a seat's end only once the seat's stream has it. A seat whose lease
// ran out but whose stream has not ended it yet is still counted as held: an
// order may over-count a seat for a moment, never under-count it.
import type { OrderEvent } from './events.js'
import type { Leased } from './lease.js'
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
  /** The last lease its stream wrote; null: none yet (the order's record stands). */
  readonly lease: Lease | null
  /** How its stream ended it; null: it did not. */
  readonly ended: SeatEnding | null
}

/** By seat id; a seat not in it is known only by the order's record. */
export type Liveness = Readonly<Record<string, SeatLiveness>>

const ms = (iso: string): number => Date.parse(iso)

/** A seat's lease as its own stream leaves it: the later write wins, and an ended seat's lease ends when it did. */
export const leaseOf = (seat: Lease, liveness: SeatLiveness | undefined): Lease => {
  const own = liveness?.lease ?? null
  const { renewedAt, leaseExpiresAt, heartbeatIntervalSeconds } = own !== null && ms(own.renewedAt) >= ms(seat.renewedAt) ? own : seat
  const ended = liveness?.ended ?? null
  const end = ended !== null && ms(ended.at) < ms(leaseExpiresAt) ? ended.at : leaseExpiresAt
  return { renewedAt, leaseExpiresAt: end, heartbeatIntervalSeconds }
}

/** The order with every seat's lease as its stream leaves it: what liveness, deadlines and counts are judged on. */
export const withLiveness = (order: ExistingOrder, liveness: Liveness): ExistingOrder => {
  const seats = Object.fromEntries(
    Object.entries(order.usage.seats).map(([seatId, seat]): [string, Seat] => {
      const own = ownEntry(liveness, seatId)
      return [seatId, own === undefined ? seat : { ...seat, ...leaseOf(seat, own) }]
    }),
  )
  return { ...order, usage: { ...order.usage, seats } }
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

/** The end of every seat the order holds and its stream ended, in the order they ended. */
export const endingsOf = (order: ExistingOrder, now: Date, liveness: Liveness): readonly OrderEvent[] =>
  Object.values(order.usage.seats)
    .flatMap((seat) => {
      const ended = ownEntry(liveness, seat.seatId)?.ended ?? null
      return ended === null ? [] : [{ seat, ended }]
    })
    .sort((a, b) => ms(a.ended.at) - ms(b.ended.at) || a.seat.seatId.localeCompare(b.seat.seatId))
    .map(({ seat, ended }) => endingOf(order, seat, ended, now))
