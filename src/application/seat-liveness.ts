// The seats' own streams, as a decision on their order needs them. A seat's
// renewals live in its stream (seat-<seatId>), not the order's; a decision on
// the order is handed what those streams say (domain/order/liveness.ts). The
// two appends of an end are ordered so that the seat cap holds under any
// interleaving: a seat's end (an expiry, a release, a revocation) is decided on
// its own stream first, under optimistic concurrency, so a renewal that got
// there first wins; only then does the order record it and free the place. A
// crash in between leaves the order counting a seat that is gone (over-counted
// for a moment, never under-counted) until the next decision on the order or
// the seat sweeper records the end its stream already has.
import * as E from 'fp-ts/Either'
import { lapsed, leaseOf, seatSettingsOf, type ExistingOrder, type Liveness, type Seat, type SeatLiveness } from '../domain/order/index.js'
import { seatStream, type RecordedSeat, type SeatCommand, type SeatEvent } from '../domain/seat/index.js'
import { SeatAggregate } from './aggregates.js'
import type { ConcurrencyConflict } from './command-handler.js'
import type { CommandMeta } from './metadata.js'
import type { Session } from './session.js'

/** The order's record of a seat, which the seat's stream extends. */
export const recordedSeat = (order: ExistingOrder, seat: Seat): RecordedSeat => {
  const { seatId, clientId, machineId, renewedAt, leaseExpiresAt, heartbeatIntervalSeconds } = seat
  return { orderId: order.orderId, seatId, clientId, machineId, renewedAt, leaseExpiresAt, heartbeatIntervalSeconds }
}

/** What one operation did on the seats' streams: what they say now, and what it wrote there. */
export interface SeatWork {
  readonly liveness: Liveness
  readonly written: readonly SeatEvent[]
}

/**
 * `keepHistory` gives a new seat stream the configured retention of its
 * renewals (LEASE_HISTORY_RETENTION_DAYS, lease-history.ts); by default every
 * renewal is kept.
 */
export const createSeatLiveness = (clock: () => Date, keepHistory: (seatStream: string) => Promise<void> = async () => undefined) => {
  /**
   * Every held seat's stream as this process last saw it (read once when it
   * has not): a heartbeat that renews nothing reads nothing.
   */
  const livenessOf = async (session: Session, order: ExistingOrder): Promise<SeatWork> => {
    const seats = Object.keys(order.usage.seats)
    const states = await Promise.all(seats.map(async (seatId) => [seatId, (await session.peek(SeatAggregate, seatStream(seatId))).state] as const))
    return { liveness: Object.fromEntries(states), written: [] }
  }

  /** Decides a command on a seat's stream and notes what it says after it. */
  const onSeat = async (session: Session, work: SeatWork, command: SeatCommand, meta: CommandMeta): Promise<E.Either<ConcurrencyConflict, SeatWork>> => {
    const handled = await session.handle(SeatAggregate, command, {}, meta)
    if (E.isLeft(handled)) return handled
    const { state, events } = handled.right
    return E.right({ liveness: { ...work.liveness, [command.seat.seatId]: state }, written: [...work.written, ...events] })
  }

  /**
   * Expires, each on its own stream, the held seats whose lease ran out (the
   * stream may hold a renewal this process has not seen: the append's expected
   * version catches it, and the renewal wins). The order records them next.
   */
  const settle = async (session: Session, order: ExistingOrder, meta: CommandMeta): Promise<E.Either<ConcurrencyConflict, SeatWork>> => {
    const seen = await livenessOf(session, order)
    const now = clock()
    const due = Object.values(order.usage.seats).filter((seat) => {
      const known: SeatLiveness | undefined = seen.liveness[seat.seatId]
      return known?.ended == null && lapsed(leaseOf(seat, known), now)
    })
    const expired = await Promise.all(due.map((seat) => onSeat(session, { liveness: {}, written: [] }, { type: 'ExpireSeatLease', seat: recordedSeat(order, seat) }, meta)))
    let work = seen
    for (const outcome of expired) {
      if (E.isLeft(outcome)) return outcome
      work = { liveness: { ...work.liveness, ...outcome.right.liveness }, written: [...work.written, ...outcome.right.written] }
    }
    return E.right(work)
  }

  const start = async (session: Session, work: SeatWork, order: ExistingOrder, seat: Seat, meta: CommandMeta): Promise<E.Either<ConcurrencyConflict, SeatWork>> => {
    const started = await onSeat(session, work, { type: 'StartSeatLease', seat: recordedSeat(order, seat) }, meta)
    // Set once, when the stream begins; the store keeps applying it. The grant is made by then: a store that
    // cannot take the setting now leaves this seat's renewals kept whole (the safe side), not the grant undone.
    if (E.isRight(started)) await keepHistory(seatStream(seat.seatId)).catch(() => undefined)
    return started
  }

  /** Renews under the order's current settings, when due. */
  const renew = (session: Session, work: SeatWork, order: ExistingOrder, seat: Seat, meta: CommandMeta) =>
    onSeat(session, work, { type: 'RenewSeatLease', seat: recordedSeat(order, seat), settings: seatSettingsOf(order) }, meta)

  const end = (session: Session, work: SeatWork, order: ExistingOrder, seat: Seat, reason: 'released' | 'revoked', meta: CommandMeta) =>
    onSeat(session, work, { type: 'EndSeatLease', seat: recordedSeat(order, seat), reason }, meta)

  return { livenessOf, settle, start, renew, end }
}
export type SeatLivenessService = ReturnType<typeof createSeatLiveness>
