// Decides a license's use on the order's stream, so that "never more than
// activations_allowed" holds whatever the concurrency. A decision that finds
// seats whose lease ran out writes their expiry first, with the time each
// lease ended, then decides on what is left.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { Decider, TimeContext } from '../decider.js'
import type { OrderEvent } from './events.js'
import { DENIAL_RECORD_WINDOW_MS, dueForRenewal, leaseEnd, type SeatSettings } from './lease.js'
import { clientKey, noActivationDetails, type ActivationDetails } from './machine.js'
import { incrementUses, ownEntry, sameDefinitions } from './meters.js'
import { activationOf, lapsedSeats, limitOf, occupied, seatOf, seatSettingsOf } from './occupancy.js'
import { evolveOrder, initialOrderState, type ExistingOrder, type OrderState } from './state.js'
import type { ActivationChanges, ActivationSelector, UsageCommand } from './usage-commands.js'
import type { UsageError } from './usage-errors.js'
import type { Activation, Seat } from './usage.js'
import { isExpired, licenseExpiry } from './validity.js'

export interface UsageContext extends TimeContext {
  /** The id a new activation or seat gets (also its token's id). */
  readonly newId: string
}

type Decision = E.Either<UsageError, readonly OrderEvent[]>

/** A disabled order or an expired license cannot be put to new use. */
const usable = (order: ExistingOrder, now: Date): E.Either<UsageError, ExistingOrder> => {
  if (!order.terms.enabled) return E.left({ _tag: 'OrderDisabled', orderId: order.orderId })
  if (isExpired(order, now)) {
    return E.left({ _tag: 'LicenseExpired', orderId: order.orderId, expiredAt: licenseExpiry(order, now)!.toISOString() })
  }
  return E.right(order)
}

/** The expiry of every lapsed seat, each at the moment its lease ran out. */
export const expiriesOf = (order: ExistingOrder, now: Date): readonly OrderEvent[] =>
  lapsedSeats(order.usage, now).map((seat) => ({
    type: 'SeatExpired',
    data: { orderId: order.orderId, seatId: seat.seatId, clientId: seat.clientId, machineId: seat.machineId, at: seat.leaseExpiresAt, recordedAt: now.toISOString() },
  }))

const apply = (order: ExistingOrder, events: readonly OrderEvent[]): ExistingOrder => events.reduce(evolveOrder, order as OrderState) as ExistingOrder

/** A presenter that names a client or machine must name the token's own. */
const presentedBy = (seat: Seat, presenter: { readonly clientId: string | null; readonly machineId: string | null }): boolean =>
  (presenter.clientId === null || presenter.clientId === seat.clientId) && (presenter.machineId === null || presenter.machineId === seat.machineId)

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

const findActivation = (order: ExistingOrder, selector: ActivationSelector) =>
  'activationId' in selector ? ownEntry(order.usage.activations, selector.activationId) : activationOf(order.usage, selector)

/**
 * Seed 003's details after a change: the fields given replace the recorded
 * ones, meter uses move by increments (see meters.ts), all or nothing.
 */
const changedDetails = (order: ExistingOrder, details: ActivationDetails, changes: ActivationChanges): E.Either<UsageError, ActivationDetails> => {
  const { meterIncrements, ...fields } = changes
  const given = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined))
  return pipe(
    incrementUses(order.orderId, order.usage.meters, details.meterAttributes, meterIncrements ?? []),
    E.map((meterAttributes): ActivationDetails => ({ ...details, ...given, meterAttributes })),
  )
}

/** An activation's update: ActivationUpdated with the whole new details, or nothing when nothing changed. */
const updateOf = (order: ExistingOrder, activation: Activation, changes: ActivationChanges, at: string): Decision =>
  pipe(
    changedDetails(order, activation.details, changes),
    E.map((details): readonly OrderEvent[] => {
      if (JSON.stringify(details) === JSON.stringify(activation.details)) return []
      const { activationId, clientId, machineId } = activation
      return [{ type: 'ActivationUpdated', data: { orderId: order.orderId, activationId, clientId, machineId, details, at } }]
    }),
  )

export const decideUsage = (command: UsageCommand, state: OrderState, context: UsageContext): Decision => {
  const { now } = context
  const at = now.toISOString()
  if (!state.exists) return E.left({ _tag: 'OrderNotFound', orderId: command.orderId })
  const order = state
  const { orderId } = order

  switch (command.type) {
    case 'ActivateMachine': {
      const ok = usable(order, now)
      if (E.isLeft(ok)) return ok
      const expiries = expiriesOf(order, now)
      const after = apply(order, expiries)
      // The same client and machine again: the same activation, nothing new.
      if (activationOf(after.usage, command) !== undefined) return E.right(expiries)
      if (occupied(after, now) >= limitOf(after)) return E.left({ _tag: 'ActivationLimitReached', orderId, limit: limitOf(after) })
      const { clientId, machineId, clientName, clientAddr, details } = command
      return E.right([...expiries, { type: 'MachineActivated', data: { orderId, activationId: context.newId, clientId, machineId, clientName, clientAddr, details, at } }])
    }

    case 'ActivateMachineWithDetails': {
      const ok = usable(order, now)
      if (E.isLeft(ok)) return ok
      const expiries = expiriesOf(order, now)
      const after = apply(order, expiries)
      const held = activationOf(after.usage, command)
      if (held !== undefined) return pipe(updateOf(after, held, command.changes, at), E.map((update) => [...expiries, ...update]))
      if (occupied(after, now) >= limitOf(after)) return E.left({ _tag: 'ActivationLimitReached', orderId, limit: limitOf(after) })
      const details = changedDetails(after, noActivationDetails, command.changes)
      if (E.isLeft(details)) return details
      const { clientId, machineId, clientName, clientAddr } = command
      return E.right([
        ...expiries,
        { type: 'MachineActivated', data: { orderId, activationId: context.newId, clientId, machineId, clientName, clientAddr, details: details.right, at } },
      ])
    }

    case 'UpdateActivation': {
      const activation = ownEntry(order.usage.activations, command.activationId)
      if (activation === undefined) return E.left({ _tag: 'ActivationNotFound', orderId })
      // A disabled or expired license is told so when its machines sync, and its meters do not move.
      const ok = usable(order, now)
      if (E.isLeft(ok)) return ok
      // The fingerprint is the machine the activation is bound to: another machine is another activation.
      const { fingerprint } = command.changes
      if (fingerprint !== undefined && fingerprint !== null && fingerprint !== activation.machineId) {
        return E.left({ _tag: 'FingerprintMismatch', orderId, activationId: activation.activationId })
      }
      return updateOf(order, activation, command.changes, at)
    }

    case 'DeactivateMachine': {
      const activation = findActivation(order, command.activation)
      if (activation === undefined) return E.left({ _tag: 'ActivationNotFound', orderId })
      const allowed = order.terms.deactivations_allowed
      if (allowed !== null && order.usage.deactivations >= allowed) return E.left({ _tag: 'DeactivationLimitReached', orderId, allowed })
      const { activationId, clientId, machineId } = activation
      return E.right([{ type: 'MachineDeactivated', data: { orderId, activationId, clientId, machineId, at } }])
    }

    case 'RequestSeat': {
      const ok = usable(order, now)
      if (E.isLeft(ok)) return ok
      const expiries = expiriesOf(order, now)
      const after = apply(order, expiries)
      const settings = seatSettingsOf(after)
      // A client that holds a seat asking again keeps it: no second grant.
      const held = seatOf(after.usage, command)
      if (held !== undefined) return E.right(dueForRenewal(held, now) ? [...expiries, renewal(after, held, settings, now)] : expiries)
      const { clientId, machineId, clientName, clientAddr } = command
      const active = occupied(after, now)
      const limit = limitOf(after)
      if (active < limit) {
        return E.right([
          ...expiries,
          {
            type: 'SeatGranted',
            data: { orderId, seatId: context.newId, clientId, machineId, clientName, clientAddr, leaseExpiresAt: leaseEnd(now, settings), heartbeatIntervalSeconds: settings.heartbeatIntervalSeconds, at },
          },
        ])
      }
      // No seat free: an answer, not a failure. The denial is recorded once per client per window, so a client hammering a full license cannot flood the log.
      const lastDenial = after.usage.recentDenials[clientKey(command)]
      if (lastDenial !== undefined && now.getTime() - Date.parse(lastDenial) < DENIAL_RECORD_WINDOW_MS) return E.right(expiries)
      return E.right([...expiries, { type: 'SeatRequestDenied', data: { orderId, clientId, machineId, clientName, active, limit, at } }])
    }

    case 'HeartbeatSeat': {
      const revoked = order.usage.revokedTokens[command.seatId]
      if (revoked !== undefined) return E.left({ _tag: 'TokenRevoked', orderId, tokenId: command.seatId, revokedAt: revoked.revokedAt })
      const recorded = order.usage.seats[command.seatId]
      if (recorded !== undefined && !presentedBy(recorded, command)) return E.left({ _tag: 'ClientMismatch', orderId, tokenId: command.seatId })
      const ok = usable(order, now)
      if (E.isLeft(ok)) return ok
      const expiries = expiriesOf(order, now)
      const after = apply(order, expiries)
      // Released, expired (now or before): nothing to keep alive; the reply says so.
      const seat = after.usage.seats[command.seatId]
      if (seat === undefined) return E.right(expiries)
      return E.right(dueForRenewal(seat, now) ? [...expiries, renewal(after, seat, seatSettingsOf(after), now)] : expiries)
    }

    case 'ReleaseSeat': {
      const revoked = order.usage.revokedTokens[command.seatId]
      if (revoked !== undefined) return E.left({ _tag: 'TokenRevoked', orderId, tokenId: command.seatId, revokedAt: revoked.revokedAt })
      const recorded = order.usage.seats[command.seatId]
      if (recorded !== undefined && !presentedBy(recorded, command)) return E.left({ _tag: 'ClientMismatch', orderId, tokenId: command.seatId })
      const expiries = expiriesOf(order, now)
      const seat = apply(order, expiries).usage.seats[command.seatId]
      // Already released or expired: releasing again changes nothing.
      if (seat === undefined) return E.right(expiries)
      const { seatId, clientId, machineId } = seat
      return E.right([...expiries, { type: 'SeatReleased', data: { orderId, seatId, clientId, machineId, at } }])
    }

    case 'ExpireLapsedSeats':
      return E.right(expiriesOf(order, now))

    case 'RevokeLicenseToken': {
      const { tokenId } = command
      if (ownEntry(order.usage.revokedTokens, tokenId) !== undefined) return E.right([])
      const seat = ownEntry(order.usage.seats, tokenId)
      const activation = ownEntry(order.usage.activations, tokenId)
      const held = seat ?? activation
      if (held === undefined) return E.left({ _tag: 'TokenNotFound', orderId, tokenId })
      const issuedAt = seat !== undefined ? seat.grantedAt : activation!.activatedAt
      const { clientId, machineId, clientName } = held
      return E.right([
        { type: 'LicenseTokenRevoked', data: { orderId, tokenId, kind: seat !== undefined ? 'seat' : 'activation', clientId, machineId, clientName, issuedAt, at } },
      ])
    }

    case 'ChangeSeatSettings': {
      const { heartbeatIntervalSeconds, leaseSeconds } = command.settings
      // A lease shorter than two intervals dies of a single late heartbeat.
      const minimum = 2 * heartbeatIntervalSeconds
      if (leaseSeconds < minimum) return E.left({ _tag: 'LeaseTooShort', orderId, leaseSeconds, minimum })
      const current = order.usage.seatSettings
      if (current !== null && current.heartbeatIntervalSeconds === heartbeatIntervalSeconds && current.leaseSeconds === leaseSeconds) return E.right([])
      return E.right([{ type: 'SeatSettingsChanged', data: { orderId, heartbeatIntervalSeconds, leaseSeconds, at } }])
    }

    case 'DefineMeterAttributes': {
      const { attributes } = command
      if (sameDefinitions(order.usage.meters, attributes)) return E.right([])
      return E.right([{ type: 'MeterAttributesDefined', data: { orderId, attributes, at } }])
    }
  }
}

export const usageDecider: Decider<UsageCommand, OrderState, OrderEvent, UsageError, UsageContext> = {
  initialState: initialOrderState,
  evolve: evolveOrder,
  decide: decideUsage,
}
