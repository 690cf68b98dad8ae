// Decisions on floating seats (seed 002's request, heartbeat and release) on
// the order's stream: a seat is granted while activations and seats held stay
// within activations_allowed, and its end (released, expired, revoked) is
// recorded once its own stream has it. Renewals are decided on the seat's
// stream (src/domain/seat/), not here.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { DENIAL_RECORD_WINDOW_MS, leaseEnd, seatSettingsOf } from './lease.js'
import { clientKey } from './machine.js'
import { limitOf, placesTaken, seatOf } from './occupancy.js'
import type { ExistingOrder } from './state.js'
import type { ExpireLapsedSeats, HeartbeatSeat, ReleaseSeat, RequestSeat } from './usage-commands.js'
import { afterEndings, endings, usable, type Decide, type Decision } from './usage-decision.js'
import type { UsageError } from './usage-errors.js'
import type { Seat } from './usage.js'

/** A token presented back must not be revoked, and a presenter that names a client or machine must name the token's own. */
export const presentable = (order: ExistingOrder, command: HeartbeatSeat | ReleaseSeat): E.Either<UsageError, ExistingOrder> => {
  const { orderId } = order
  const revoked = order.usage.revokedTokens[command.seatId]
  if (revoked !== undefined) return E.left({ _tag: 'TokenRevoked', orderId, tokenId: command.seatId, revokedAt: revoked.revokedAt })
  const recorded = order.usage.seats[command.seatId]
  const presentedBy = (seat: Seat): boolean =>
    (command.clientId === null || command.clientId === seat.clientId) && (command.machineId === null || command.machineId === seat.machineId)
  if (recorded !== undefined && !presentedBy(recorded)) return E.left({ _tag: 'ClientMismatch', orderId, tokenId: command.seatId })
  return E.right(order)
}

export const requestSeat: Decide<RequestSeat> = (command, order, context) =>
  pipe(
    usable(order, context.now),
    E.chain(() =>
      afterEndings(order, context, (after): Decision => {
        // A client that holds a seat asking again keeps it: no second grant (its lease is renewed on its own stream).
        if (seatOf(after.usage, command) !== undefined) return E.right([])
        const { orderId } = after
        const { clientId, machineId, clientName, clientAddr } = command
        const { now, newId } = context
        const at = now.toISOString()
        const active = placesTaken(after)
        const limit = limitOf(after)
        if (active < limit) {
          const settings = seatSettingsOf(after)
          const lease = { leaseExpiresAt: leaseEnd(now, settings), heartbeatIntervalSeconds: settings.heartbeatIntervalSeconds }
          return E.right([{ type: 'SeatGranted', data: { orderId, seatId: newId, clientId, machineId, clientName, clientAddr, ...lease, at } }])
        }
        // No seat free: an answer, not a failure. The denial is recorded once per client per window, so a client hammering a full license cannot flood the log.
        const lastDenial = after.usage.recentDenials[clientKey(command)]
        if (lastDenial !== undefined && now.getTime() - Date.parse(lastDenial) < DENIAL_RECORD_WINDOW_MS) return E.right([])
        const decidedOnRevision = context.revision ?? null
        return E.right([{ type: 'SeatRequestDenied', data: { orderId, clientId, machineId, clientName, active, limit, at, denialId: newId, rule: 'activations_allowed', decidedOnRevision } }])
      }),
    ),
  )

/** A heartbeat's part on the order: the token may be presented, the license used; ended seats are recorded. Its renewal is the seat stream's. */
export const heartbeatSeat: Decide<HeartbeatSeat> = (command, order, context) =>
  pipe(
    presentable(order, command),
    E.chain(() => usable(order, context.now)),
    E.chain(() => afterEndings(order, context, () => E.right([]))),
  )

/** A release is recorded once the seat's stream ended it (released, or expired before it was given back). */
export const releaseSeat: Decide<ReleaseSeat> = (command, order, context) =>
  pipe(
    presentable(order, command),
    E.chain(() => afterEndings(order, context, () => E.right([]))),
  )

export const expireLapsedSeats: Decide<ExpireLapsedSeats> = (_command, order, context) => E.right(endings(order, context))
