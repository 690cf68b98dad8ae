// Decides a license's use on the order's stream, so that "never more than
// activations_allowed" holds whatever the concurrency. A decision that finds
// seats whose lease ran out writes their expiry first, with the time each
// lease ended, then decides on what is left. One small function per command.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { Decider, TimeContext } from '../decider.js'
import type { OrderEvent } from './events.js'
import { DENIAL_RECORD_WINDOW_MS, dueForRenewal, leaseEnd, leaseMinimum, seatSettingsOf, type SeatSettings } from './lease.js'
import { clientKey, noActivationDetails, type ActivationDetails } from './machine.js'
import { incrementUses, ownEntry, sameDefinitions } from './meters.js'
import { activationOf, lapsedSeats, limitOf, occupied, seatOf } from './occupancy.js'
import { evolveOrder, initialOrderState, type ExistingOrder, type OrderState } from './state.js'
import type {
  ActivateMachine,
  ActivateMachineWithDetails,
  ActivationChanges,
  ActivationSelector,
  ChangeSeatSettings,
  DeactivateMachine,
  DefineMeterAttributes,
  HeartbeatSeat,
  ReleaseSeat,
  RequestSeat,
  RevokeLicenseToken,
  UpdateActivation,
  UsageCommand,
} from './usage-commands.js'
import type { UsageError } from './usage-errors.js'
import type { Activation, Seat } from './usage.js'
import { isExpired, licenseExpiry } from './validity.js'

export interface UsageContext extends TimeContext {
  /** The id a new activation or seat gets (also its token's id). */
  readonly newId: string
}

type Decision = E.Either<UsageError, readonly OrderEvent[]>

/** How one command is decided on an order that exists. */
type Decide<C> = (command: C, order: ExistingOrder, context: UsageContext) => Decision

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

/** The lapsed seats' expiry first, then `decide` on the order they leave. */
const afterExpiries = (order: ExistingOrder, now: Date, decide: (after: ExistingOrder) => Decision): Decision => {
  const expiries = expiriesOf(order, now)
  return pipe(
    decide(apply(order, expiries)),
    E.map((events) => [...expiries, ...events]),
  )
}

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

/** A held seat's lease is written again once past half its life; otherwise nothing is. */
const renewalIfDue = (order: ExistingOrder, seat: Seat, now: Date): readonly OrderEvent[] =>
  dueForRenewal(seat, now) ? [renewal(order, seat, seatSettingsOf(order), now)] : []

const findActivation = (order: ExistingOrder, selector: ActivationSelector) =>
  'activationId' in selector ? ownEntry(order.usage.activations, selector.activationId) : activationOf(order.usage, selector)

/** Every place taken: a new activation would exceed activations_allowed. */
const full = (order: ExistingOrder, now: Date): E.Either<UsageError, never> | null =>
  occupied(order, now) >= limitOf(order) ? E.left({ _tag: 'ActivationLimitReached', orderId: order.orderId, limit: limitOf(order) }) : null

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

const activated = (order: ExistingOrder, command: ActivateMachine | ActivateMachineWithDetails, details: ActivationDetails, context: UsageContext): OrderEvent => {
  const { clientId, machineId, clientName, clientAddr } = command
  return { type: 'MachineActivated', data: { orderId: order.orderId, activationId: context.newId, clientId, machineId, clientName, clientAddr, details, at: context.now.toISOString() } }
}

const activateMachine: Decide<ActivateMachine> = (command, order, context) =>
  pipe(
    usable(order, context.now),
    E.chain(() =>
      afterExpiries(order, context.now, (after) => {
        // The same client and machine again: the same activation, nothing new.
        if (activationOf(after.usage, command) !== undefined) return E.right([])
        return full(after, context.now) ?? E.right([activated(after, command, command.details, context)])
      }),
    ),
  )

const activateMachineWithDetails: Decide<ActivateMachineWithDetails> = (command, order, context) =>
  pipe(
    usable(order, context.now),
    E.chain(() =>
      afterExpiries(order, context.now, (after) => {
        const held = activationOf(after.usage, command)
        if (held !== undefined) return updateOf(after, held, command.changes, context.now.toISOString())
        return (
          full(after, context.now) ??
          pipe(
            changedDetails(after, noActivationDetails, command.changes),
            E.map((details) => [activated(after, command, details, context)]),
          )
        )
      }),
    ),
  )

const updateActivation: Decide<UpdateActivation> = (command, order, { now }) => {
  const activation = ownEntry(order.usage.activations, command.activationId)
  if (activation === undefined) return E.left({ _tag: 'ActivationNotFound', orderId: order.orderId })
  // A disabled or expired license is told so when its machines sync, and its meters do not move.
  const ok = usable(order, now)
  if (E.isLeft(ok)) return ok
  // The fingerprint is the machine the activation is bound to: another machine is another activation.
  const { fingerprint } = command.changes
  if (fingerprint !== undefined && fingerprint !== null && fingerprint !== activation.machineId) {
    return E.left({ _tag: 'FingerprintMismatch', orderId: order.orderId, activationId: activation.activationId })
  }
  return updateOf(order, activation, command.changes, now.toISOString())
}

const deactivateMachine: Decide<DeactivateMachine> = (command, order, { now }) => {
  const { orderId } = order
  const activation = findActivation(order, command.activation)
  if (activation === undefined) return E.left({ _tag: 'ActivationNotFound', orderId })
  const allowed = order.terms.deactivations_allowed
  if (allowed !== null && order.usage.deactivations >= allowed) return E.left({ _tag: 'DeactivationLimitReached', orderId, allowed })
  const { activationId, clientId, machineId } = activation
  return E.right([{ type: 'MachineDeactivated', data: { orderId, activationId, clientId, machineId, at: now.toISOString() } }])
}

const requestSeat: Decide<RequestSeat> = (command, order, { now, newId }) =>
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

const heartbeatSeat: Decide<HeartbeatSeat> = (command, order, { now }) =>
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

const releaseSeat: Decide<ReleaseSeat> = (command, order, { now }) =>
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

const revokeLicenseToken: Decide<RevokeLicenseToken> = ({ tokenId }, order, { now }) => {
  const { orderId } = order
  if (ownEntry(order.usage.revokedTokens, tokenId) !== undefined) return E.right([])
  const seat = ownEntry(order.usage.seats, tokenId)
  const activation = ownEntry(order.usage.activations, tokenId)
  const held = seat ?? activation
  if (held === undefined) return E.left({ _tag: 'TokenNotFound', orderId, tokenId })
  const issuedAt = seat !== undefined ? seat.grantedAt : activation!.activatedAt
  const { clientId, machineId, clientName } = held
  const kind = seat !== undefined ? 'seat' : 'activation'
  return E.right([{ type: 'LicenseTokenRevoked', data: { orderId, tokenId, kind, clientId, machineId, clientName, issuedAt, at: now.toISOString() } }])
}

const changeSeatSettings: Decide<ChangeSeatSettings> = ({ settings }, order, { now }) => {
  const { orderId } = order
  const { heartbeatIntervalSeconds, leaseSeconds } = settings
  const minimum = leaseMinimum(heartbeatIntervalSeconds)
  if (leaseSeconds < minimum) return E.left({ _tag: 'LeaseTooShort', orderId, leaseSeconds, minimum })
  const current = order.usage.seatSettings
  if (current !== null && current.heartbeatIntervalSeconds === heartbeatIntervalSeconds && current.leaseSeconds === leaseSeconds) return E.right([])
  return E.right([{ type: 'SeatSettingsChanged', data: { orderId, heartbeatIntervalSeconds, leaseSeconds, at: now.toISOString() } }])
}

const defineMeterAttributes: Decide<DefineMeterAttributes> = ({ attributes }, order, { now }) =>
  sameDefinitions(order.usage.meters, attributes)
    ? E.right([])
    : E.right([{ type: 'MeterAttributesDefined', data: { orderId: order.orderId, attributes, at: now.toISOString() } }])

export const decideUsage = (command: UsageCommand, state: OrderState, context: UsageContext): Decision => {
  if (!state.exists) return E.left({ _tag: 'OrderNotFound', orderId: command.orderId })
  switch (command.type) {
    case 'ActivateMachine':
      return activateMachine(command, state, context)
    case 'ActivateMachineWithDetails':
      return activateMachineWithDetails(command, state, context)
    case 'UpdateActivation':
      return updateActivation(command, state, context)
    case 'DeactivateMachine':
      return deactivateMachine(command, state, context)
    case 'RequestSeat':
      return requestSeat(command, state, context)
    case 'HeartbeatSeat':
      return heartbeatSeat(command, state, context)
    case 'ReleaseSeat':
      return releaseSeat(command, state, context)
    case 'ExpireLapsedSeats':
      return E.right(expiriesOf(state, context.now))
    case 'RevokeLicenseToken':
      return revokeLicenseToken(command, state, context)
    case 'ChangeSeatSettings':
      return changeSeatSettings(command, state, context)
    case 'DefineMeterAttributes':
      return defineMeterAttributes(command, state, context)
  }
}

export const usageDecider: Decider<UsageCommand, OrderState, OrderEvent, UsageError, UsageContext> = {
  initialState: initialOrderState,
  evolve: evolveOrder,
  decide: decideUsage,
}
