// Decides a floating seat's liveness on its own stream: a heartbeat renews
// the lease when due (lease.ts says when), a lease that ran out is expired at
// the moment it did, a release or revocation ends it. Once ended, nothing
// more: a renewal cannot bring it back, which is what lets the order free the
// seat's place once it learns of the end.
import * as E from 'fp-ts/Either'
import type { Decider, TimeContext } from '../decider.js'
import { dueForRenewal, lapsed, leased, leaseEnd, type SeatSettings } from '../order/lease.js'
import { leaseOf, type SeatLiveness } from '../order/liveness.js'
import type { RecordedSeat, SeatCommand } from './commands.js'
import type { SeatEvent } from './events.js'

/** A seat's stream folds to what a decision on its order needs of it. */
export type SeatState = SeatLiveness

export const initialSeatState: SeatState = { lease: null, ended: null }

/** A seat's stream refuses nothing: an ended seat is an answer (the reply says so), not a failure. */
export type SeatError = never

export const evolveSeat = (state: SeatState, event: SeatEvent): SeatState => {
  switch (event.type) {
    case 'SeatLeaseStarted':
    case 'SeatLeaseRenewed': {
      const { leaseExpiresAt, heartbeatIntervalSeconds, at } = event.data
      return { ...state, lease: leased(at, leaseExpiresAt, heartbeatIntervalSeconds) }
    }
    case 'SeatLeaseExpired':
      return { ...state, ended: { reason: 'expired', at: event.data.at } }
    case 'SeatLeaseEnded':
      return { ...state, ended: { reason: event.data.reason, at: event.data.at } }
  }
}

const holder = ({ orderId, seatId, clientId, machineId }: RecordedSeat) => ({ orderId, seatId, clientId, machineId })

const expiry = (seat: RecordedSeat, leaseExpiresAt: string, now: Date): SeatEvent => ({
  type: 'SeatLeaseExpired',
  data: { ...holder(seat), at: leaseExpiresAt, recordedAt: now.toISOString() },
})

const renewal = (seat: RecordedSeat, settings: SeatSettings, now: Date): SeatEvent => ({
  type: 'SeatLeaseRenewed',
  data: { ...holder(seat), leaseExpiresAt: leaseEnd(now, settings), heartbeatIntervalSeconds: settings.heartbeatIntervalSeconds, at: now.toISOString() },
})

const decide = (command: SeatCommand, state: SeatState, { now }: TimeContext): readonly SeatEvent[] => {
  if (state.ended !== null) return []
  const { seat } = command
  const lease = leaseOf(leased(seat.renewedAt, seat.leaseExpiresAt, seat.heartbeatIntervalSeconds), state)
  switch (command.type) {
    case 'StartSeatLease': {
      if (state.lease !== null) return []
      const { leaseExpiresAt, heartbeatIntervalSeconds, renewedAt } = seat
      return [{ type: 'SeatLeaseStarted', data: { ...holder(seat), leaseExpiresAt, heartbeatIntervalSeconds, at: renewedAt } }]
    }
    case 'RenewSeatLease':
      if (lapsed(lease, now)) return [expiry(seat, lease.leaseExpiresAt, now)]
      return dueForRenewal(lease, now) ? [renewal(seat, command.settings, now)] : []
    case 'ExpireSeatLease':
      return lapsed(lease, now) ? [expiry(seat, lease.leaseExpiresAt, now)] : []
    case 'EndSeatLease':
      // A seat given back after its lease ran out had expired already; a revoked token is revoked whatever its lease.
      if (command.reason === 'released' && lapsed(lease, now)) return [expiry(seat, lease.leaseExpiresAt, now)]
      return [{ type: 'SeatLeaseEnded', data: { ...holder(seat), reason: command.reason, at: now.toISOString() } }]
  }
}

export const seatDecider: Decider<SeatCommand, SeatState, SeatEvent, SeatError, TimeContext> = {
  initialState: initialSeatState,
  evolve: evolveSeat,
  decide: (command, state, context) => E.right(decide(command, state, context)),
}
