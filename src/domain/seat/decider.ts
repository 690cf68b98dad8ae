// Decides a floating seat's liveness on its own stream: a heartbeat renews
// the lease when due (lease.ts says when), a lease that ran out is expired at
// the moment it did, a release or revocation ends it. Once ended, nothing
// more: a renewal cannot bring it back, which is what lets the order free the
// seat's place once it learns of the end. The state keeps a lease's times as
// numbers (parsed once, when a lease is folded), and a heartbeat's outcome is
// decided on numbers (renewalOutcome), so a replay that keeps no events
// (what-if) renews a seat without parsing or formatting a date.
import * as E from 'fp-ts/Either'
import type { Decider, TimeContext } from '../decider.js'
import { dueForRenewalBy, lapsedBy, leaseEnd, type LeaseTimes, type SeatSettings } from '../order/lease.js'
import { leaseTimesOf, type SeatLiveness } from '../order/liveness.js'
import type { RecordedSeat, SeatCommand } from './commands.js'
import type { SeatEvent } from './events.js'

/** A seat's stream folds to what a decision on its order needs of it: its last lease in numbers, and its end. */
export type SeatState = SeatLiveness

export const initialSeatState: SeatState = { lease: null, ended: null }

/** A seat's stream refuses nothing: an ended seat is an answer (the reply says so), not a failure. */
export type SeatError = never

/** A lease written at `atMs` under the settings: a full lease from then. */
export const renewedLease = (settings: SeatSettings, atMs: number): LeaseTimes => ({
  renewedMs: atMs,
  expiresMs: atMs + settings.leaseSeconds * 1000,
  heartbeatIntervalSeconds: settings.heartbeatIntervalSeconds,
})

export const evolveSeat = (state: SeatState, event: SeatEvent): SeatState => {
  switch (event.type) {
    case 'SeatLeaseStarted':
    case 'SeatLeaseRenewed': {
      const { leaseExpiresAt, heartbeatIntervalSeconds, at } = event.data
      return { ...state, lease: { renewedMs: Date.parse(at), expiresMs: Date.parse(leaseExpiresAt), heartbeatIntervalSeconds } }
    }
    case 'SeatLeaseExpired':
      return { ...state, ended: { reason: 'expired', at: event.data.at } }
    case 'SeatLeaseEnded':
      return { ...state, ended: { reason: event.data.reason, at: event.data.at } }
  }
}

/** The order's record of the seat, in numbers. */
export const recordedLease = (seat: RecordedSeat): LeaseTimes => ({
  renewedMs: Date.parse(seat.renewedAt),
  expiresMs: Date.parse(seat.leaseExpiresAt),
  heartbeatIntervalSeconds: seat.heartbeatIntervalSeconds,
})

/**
 * What a heartbeat does to a seat whose lease (as its stream leaves it, over
 * the order's record) is `lease`: expire it if it lapsed, renew it if due,
 * else nothing. An ended seat's heartbeat does nothing; the caller checks that first.
 */
export type RenewalOutcome = 'expire' | 'renew' | 'none'

export const renewalOutcome = (lease: LeaseTimes, nowMs: number): RenewalOutcome =>
  lapsedBy(lease, nowMs) ? 'expire' : dueForRenewalBy(lease, nowMs) ? 'renew' : 'none'

/** The state a heartbeat's outcome leaves, as folding its event would: what a replay that keeps no events goes on from. */
export const afterRenewal = (state: SeatState, outcome: RenewalOutcome, lease: LeaseTimes, settings: SeatSettings, nowMs: number): SeatState => {
  switch (outcome) {
    case 'none':
      return state
    case 'renew':
      return { ...state, lease: renewedLease(settings, nowMs) }
    case 'expire':
      return { ...state, ended: { reason: 'expired', at: new Date(lease.expiresMs).toISOString() } }
  }
}

const holder = ({ orderId, seatId, clientId, machineId }: RecordedSeat) => ({ orderId, seatId, clientId, machineId })

const expiry = (seat: RecordedSeat, lease: LeaseTimes, now: Date): SeatEvent => ({
  type: 'SeatLeaseExpired',
  data: { ...holder(seat), at: new Date(lease.expiresMs).toISOString(), recordedAt: now.toISOString() },
})

const renewal = (seat: RecordedSeat, settings: SeatSettings, now: Date): SeatEvent => ({
  type: 'SeatLeaseRenewed',
  data: { ...holder(seat), leaseExpiresAt: leaseEnd(now, settings), heartbeatIntervalSeconds: settings.heartbeatIntervalSeconds, at: now.toISOString() },
})

const decide = (command: SeatCommand, state: SeatState, { now }: TimeContext): readonly SeatEvent[] => {
  if (state.ended !== null) return []
  const { seat } = command
  const lease = leaseTimesOf(recordedLease(seat), state)
  const nowMs = now.getTime()
  switch (command.type) {
    case 'StartSeatLease': {
      if (state.lease !== null) return []
      const { leaseExpiresAt, heartbeatIntervalSeconds, renewedAt } = seat
      return [{ type: 'SeatLeaseStarted', data: { ...holder(seat), leaseExpiresAt, heartbeatIntervalSeconds, at: renewedAt } }]
    }
    case 'RenewSeatLease': {
      const outcome = renewalOutcome(lease, nowMs)
      return outcome === 'expire' ? [expiry(seat, lease, now)] : outcome === 'renew' ? [renewal(seat, command.settings, now)] : []
    }
    case 'ExpireSeatLease':
      return lapsedBy(lease, nowMs) ? [expiry(seat, lease, now)] : []
    case 'EndSeatLease':
      // A seat given back after its lease ran out had expired already; a revoked token is revoked whatever its lease.
      if (command.reason === 'released' && lapsedBy(lease, nowMs)) return [expiry(seat, lease, now)]
      return [{ type: 'SeatLeaseEnded', data: { ...holder(seat), reason: command.reason, at: now.toISOString() } }]
  }
}

export const seatDecider: Decider<SeatCommand, SeatState, SeatEvent, SeatError, TimeContext> = {
  initialState: initialSeatState,
  evolve: evolveSeat,
  decide: (command, state, context) => E.right(decide(command, state, context)),
}
