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
//
// A decision is handed only the streams it needs, so that its cost does not
// grow with the license's seats: the ended ones and the client's own. Every
// held seat's stream is read (from this process's cache) only now and then: a
// walk notes the earliest moment any held seat may die, and while that moment
// is ahead and the order's seats are those it walked (or changed only by this
// process's own decisions since), no seat can have lapsed and none is read.
// A renewal written here that ends sooner (under settings shortened since)
// brings that moment forward, and a change of the settings ends the walk, so
// it stays a lower bound; a seat
// granted or renewed elsewhere at worst makes a reply count a lapsed seat live
// until the next walk or the sweeper (over-counted, never under-counted), and
// the cap never rests on it: it counts every seat the order holds.
import * as E from 'fp-ts/Either'
import {
  deadAt,
  earliestDeath,
  lapsed,
  leaseOf,
  seatSettingsOf,
  type ExistingOrder,
  type Liveness,
  type OrderEvent,
  type Seat,
  type SeatLiveness,
} from '../domain/order/index.js'
import { seatStream, type RecordedSeat, type SeatCommand, type SeatEvent } from '../domain/seat/index.js'
import { SeatAggregate } from './aggregates.js'
import { keepNewest } from './bounded-map.js'
import type { ConcurrencyConflict } from './command-handler.js'
import type { CommandMeta } from './metadata.js'
import type { Session } from './session.js'

/** The order's record of a seat, which the seat's stream extends. */
export const recordedSeat = (order: ExistingOrder, seat: Seat): RecordedSeat => {
  const { seatId, clientId, machineId, renewedAt, leaseExpiresAt, heartbeatIntervalSeconds } = seat
  return { orderId: order.orderId, seatId, clientId, machineId, renewedAt, leaseExpiresAt, heartbeatIntervalSeconds }
}

/** What one operation did on the seats' streams: what they say now (of those it read), and what it wrote there. */
export interface SeatWork {
  readonly liveness: Liveness
  readonly written: readonly SeatEvent[]
}

/** What a settled order's seats' streams say: the ended ones (or all, after a walk), and no held seat dies before `noneDieBefore`. */
export interface Settled extends SeatWork {
  readonly noneDieBefore: number
}

/** What the last walk over an order's seats found, kept while it holds. */
interface Walked {
  /** The order's seats record it holds for (the state's own object: a change made elsewhere is a new one). */
  readonly seats: ExistingOrder['usage']['seats']
  /** The seat settings it holds for: renewals under shorter ones may die before noneDieBefore. */
  readonly settings: ExistingOrder['usage']['seatSettings']
  readonly noneDieBefore: number
  /** Held seats whose streams ended them, until the order records it. */
  readonly ended: Liveness
}

/** Orders whose walk is kept (the oldest let go first): a few numbers each. */
const WALKS_KEPT = 10_000

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

  /** One seat's stream as this process last saw it. */
  const ownOf = async (session: Session, seatId: string): Promise<SeatLiveness> => (await session.peek(SeatAggregate, seatStream(seatId))).state

  const walks = new Map<string, Walked>()
  const keep = (orderId: string, walked: Walked): void => keepNewest(walks, orderId, walked, WALKS_KEPT)

  /**
   * What a seat's stream says after a write here: an end is kept for the
   * order to record, whoever asks next; a lease written (a renewal under
   * settings shorter than the seat had) may die before the walk's moment,
   * which then comes sooner.
   */
  const noteSeat = (orderId: string, seatId: string, state: SeatLiveness): void => {
    const walked = walks.get(orderId)
    if (walked === undefined) return
    if (state.ended !== null) keep(orderId, { ...walked, ended: { ...walked.ended, [seatId]: state } })
    else if (state.lease !== null && deadAt(state.lease) < walked.noneDieBefore) keep(orderId, { ...walked, noneDieBefore: deadAt(state.lease) })
  }

  /**
   * The order as this process's decision left it: seats it granted join the
   * walk (their deaths may come first), ends it recorded leave it. A decision
   * made on a state the walk never saw (the handler read another process's
   * grant on a conflict) holds a seat whose death the walk does not know: the
   * walk is dropped, and the next decision walks again.
   */
  const noteDecision = (order: ExistingOrder, events: readonly OrderEvent[]): void => {
    const walked = walks.get(order.orderId)
    if (walked === undefined || events.length === 0 || walked.seats === order.usage.seats) return
    let noneDieBefore = walked.noneDieBefore
    const grantedHere = new Set<string>()
    for (const event of events) {
      const granted = event.type === 'SeatGranted' ? order.usage.seats[event.data.seatId] : undefined
      if (granted !== undefined) {
        grantedHere.add(granted.seatId)
        noneDieBefore = Math.min(noneDieBefore, deadAt(granted))
      }
    }
    for (const seatId in order.usage.seats) {
      if (!grantedHere.has(seatId) && !Object.prototype.hasOwnProperty.call(walked.seats, seatId)) {
        walks.delete(order.orderId)
        return
      }
    }
    const ended = Object.fromEntries(Object.entries(walked.ended).filter(([seatId]) => Object.prototype.hasOwnProperty.call(order.usage.seats, seatId)))
    keep(order.orderId, { seats: order.usage.seats, settings: order.usage.seatSettings, noneDieBefore, ended })
  }

  /** Decides a command on a seat's stream and notes what it says after it. */
  const onSeat = async (session: Session, work: SeatWork, command: SeatCommand, meta: CommandMeta): Promise<E.Either<ConcurrencyConflict, SeatWork>> => {
    const handled = await session.handle(SeatAggregate, command, {}, meta)
    if (E.isLeft(handled)) return handled
    const { state, events } = handled.right
    noteSeat(command.seat.orderId, command.seat.seatId, state)
    return E.right({ liveness: { ...work.liveness, [command.seat.seatId]: state }, written: [...work.written, ...events] })
  }

  /**
   * A walk: reads every held seat's stream and expires, each on its own
   * stream, those whose lease ran out (the stream may hold a renewal this
   * process has not seen: the append's expected version catches it, and the
   * renewal wins). The order records them next. What it found is kept.
   */
  const settleAll = async (session: Session, order: ExistingOrder, meta: CommandMeta): Promise<E.Either<ConcurrencyConflict, Settled>> => {
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
    const noneDieBefore = earliestDeath(order, work.liveness)
    const ended = Object.fromEntries(Object.entries(work.liveness).filter(([, state]) => state.ended !== null))
    keep(order.orderId, { seats: order.usage.seats, settings: order.usage.seatSettings, noneDieBefore, ended })
    return E.right({ ...work, noneDieBefore })
  }

  /**
   * What a decision on the order needs of its seats' streams: the ended ones,
   * with the lapsed ones expired first. From the last walk while it holds (no
   * stream read); else a walk.
   */
  const settle = async (session: Session, order: ExistingOrder, meta: CommandMeta): Promise<E.Either<ConcurrencyConflict, Settled>> => {
    const walked = walks.get(order.orderId)
    if (walked !== undefined && walked.seats === order.usage.seats && walked.settings === order.usage.seatSettings && walked.noneDieBefore > clock().getTime()) {
      return E.right({ liveness: walked.ended, written: [], noneDieBefore: walked.noneDieBefore })
    }
    return settleAll(session, order, meta)
  }

  const start = async (session: Session, work: SeatWork, order: ExistingOrder, seat: Seat, meta: CommandMeta): Promise<E.Either<ConcurrencyConflict, SeatWork>> => {
    // The seat was just granted here, under an id made here: its stream is new, and not read first.
    session.begin(SeatAggregate, seatStream(seat.seatId))
    const started = await onSeat(session, work, { type: 'StartSeatLease', seat: recordedSeat(order, seat) }, meta)
    // Set once, when the stream begins; the store keeps applying it. The grant is made by then: a store that
    // cannot take the setting now leaves this seat's renewals kept whole (the safe side), not the grant undone.
    if (E.isRight(started)) await keepHistory(seatStream(seat.seatId)).catch(() => undefined)
    return started
  }

  /** Renews under the order's current settings, when due. */
  const renew = (session: Session, work: SeatWork, order: ExistingOrder, seat: Seat, meta: CommandMeta) =>
    onSeat(session, work, { type: 'RenewSeatLease', seat: recordedSeat(order, seat), settings: seatSettingsOf(order) }, meta)

  /**
   * Ends the seat on its stream, decided on the stream as this process last saw it (no read): a renewal made
   * elsewhere meanwhile fails the append's expected version, and the end is decided again on the stream's tail.
   */
  const end = async (session: Session, work: SeatWork, order: ExistingOrder, seat: Seat, reason: 'released' | 'revoked', meta: CommandMeta) => {
    await session.peek(SeatAggregate, seatStream(seat.seatId))
    return onSeat(session, work, { type: 'EndSeatLease', seat: recordedSeat(order, seat), reason }, meta)
  }

  return { livenessOf, ownOf, settle, settleAll, noteDecision, start, renew, end }
}
export type SeatLivenessService = ReturnType<typeof createSeatLiveness>
