// Decisions on floating seats (seed 002's request, heartbeat and release):
// a seat is held while its lease lives, its lease written again by every
// heartbeat at its interval, and no more seats and activations than activations_allowed.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { OrderEvent } from './events.js'
import { DENIAL_RECORD_WINDOW_MS, dueForRenewal, leaseEnd, seatSettingsOf, type SeatSettings } from './lease.js'
import { clientKey } from './machine.js'
import { limitOf, occupied, seatOf } from './occupancy.js'
import type { ExistingOrder } from './state.js'
import type { ExpireLapsedSeats, HeartbeatSeat, ReleaseSeat, RequestSeat } from './usage-commands.js'
import { afterExpiries, expiriesOf, usable, type Decide, type Decision } from './usage-decision.js'
import type { UsageError } from './usage-errors.js'
import type { Seat } from './usage.js'

/** A token presented back must not be revoked, and a presenter that names a client or machine must name the token's own. */
const presentable = (order: ExistingOrder, command: HeartbeatSeat | ReleaseSeat): E.Either<UsageError, ExistingOrder> => {
  const { orderId } = order
  const revoked = order.usage.revokedTokens[command.seatId]
  if (revoked !== undefined) return E.left({ _tag: 'TokenRevoked', orderId, tokenId: command.seatId, revokedAt: revoked.revokedAt })
  const recorded = order.usage.seats[command.seatId]
  const presentedBy = (seat: Seat): boolean =>
    (command.clientId === null || command.clientId === seat.clientId) && (command.machineId === null || command.machineId === seat.machineId)
  if (recorded !== undefined && !presentedBy(recorded)) return E.left({ _tag: 'ClientMismatch', orderId, tokenId: command.seatId })
  return E.right(order)
}

const renewal = (order: ExistingOrder, seat: Seat, settings: SeatSettings, now: Date): OrderEvent => ({
  type: 'SeatLeaseRenewed',
  data: {
    orderId: order.orderId,
    seatId: seat.seatId,
    clientId: seat.clientId,
    machineId: seat.machineId,
    leaseExpiresAt: leaseEnd(now, settings),
    heartbeatIntervalSeconds: settings.heartbeatIntervalSeconds,
    at: now.toISOString(),
  },
})

/** A held seat's lease is written again, a full lease from now, when half an interval has passed since it last was; otherwise nothing is. */
const renewalIfDue = (order: ExistingOrder, seat: Seat, now: Date): readonly OrderEvent[] =>
  dueForRenewal(seat, now) ? [renewal(order, seat, seatSettingsOf(order), now)] : []

export const requestSeat: Decide<RequestSeat> = (command, order, { now, newId }) =>
  pipe(
    usable(order, now),
    E.chain(() =>
      afterExpiries(order, now, (after): Decision => {
        // A client that holds a seat asking again keeps it: no second grant.
        const held = seatOf(after.usage, command)
        if (held !== undefined) return E.right(renewalIfDue(after, held, now))
        const { orderId } = after
        const { clientId, machineId, clientName, clientAddr } = command
        const at = now.toISOString()
        const active = occupied(after, now)
        const limit = limitOf(after)
        if (active < limit) {
          const settings = seatSettingsOf(after)
          const lease = { leaseExpiresAt: leaseEnd(now, settings), heartbeatIntervalSeconds: settings.heartbeatIntervalSeconds }
          return E.right([{ type: 'SeatGranted', data: { orderId, seatId: newId, clientId, machineId, clientName, clientAddr, ...lease, at } }])
        }
        // No seat free: an answer, not a failure. The denial is recorded once per client per window, so a client hammering a full license cannot flood the log.
        const lastDenial = after.usage.recentDenials[clientKey(command)]
        if (lastDenial !== undefined && now.getTime() - Date.parse(lastDenial) < DENIAL_RECORD_WINDOW_MS) return E.right([])
        return E.right([{ type: 'SeatRequestDenied', data: { orderId, clientId, machineId, clientName, active, limit, at } }])
      }),
    ),
  )

export const heartbeatSeat: Decide<HeartbeatSeat> = (command, order, { now }) =>
  pipe(
    presentable(order, command),
    E.chain(() => usable(order, now)),
    E.chain(() =>
      afterExpiries(order, now, (after) => {
        // Released, expired (now or before): nothing to keep alive; the reply says so.
        const seat = after.usage.seats[command.seatId]
        return E.right(seat === undefined ? [] : renewalIfDue(after, seat, now))
      }),
    ),
  )

export const releaseSeat: Decide<ReleaseSeat> = (command, order, { now }) =>
  pipe(
    presentable(order, command),
    E.chain(() =>
      afterExpiries(order, now, (after) => {
        const seat = after.usage.seats[command.seatId]
        // Already released or expired: releasing again changes nothing.
        if (seat === undefined) return E.right([])
        const { seatId, clientId, machineId } = seat
        return E.right([{ type: 'SeatReleased', data: { orderId: after.orderId, seatId, clientId, machineId, at: now.toISOString() } }])
      }),
    ),
  )

export const expireLapsedSeats: Decide<ExpireLapsedSeats> = (_command, order, { now }) => E.right(expiriesOf(order, now))
