// Decides a license's use on the order's stream, so that "never more than
// activations_allowed" holds whatever the concurrency: one small function per
// command (activations in activation-decisions.ts, floating seats in
// seat-decisions.ts, tokens and the license's own settings here).
import * as E from 'fp-ts/Either'
import type { Decider } from '../decider.js'
import { activateMachine, activateMachineWithDetails, deactivateMachine, updateActivation } from './activation-decisions.js'
import type { OrderEvent } from './events.js'
import { leaseMinimum } from './lease.js'
import { ownEntry, sameDefinitions } from './meters.js'
import { expireLapsedSeats, heartbeatSeat, releaseSeat, requestSeat } from './seat-decisions.js'
import { evolveOrder, initialOrderState, type OrderState } from './state.js'
import type { ChangeSeatSettings, DefineMeterAttributes, RevokeLicenseToken, UsageCommand } from './usage-commands.js'
import type { Decide, Decision, UsageContext } from './usage-decision.js'
import type { UsageError } from './usage-errors.js'

export { endings, type UsageContext } from './usage-decision.js'
export { presentable } from './seat-decisions.js'
export { activationRefusal } from './activation-decisions.js'

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

/** Every usage command's decision, by its type: a command added without one does not compile. */
const decisions: { readonly [K in UsageCommand['type']]: Decide<Extract<UsageCommand, { readonly type: K }>> } = {
  // Node-locked activations.
  ActivateMachine: activateMachine, ActivateMachineWithDetails: activateMachineWithDetails, UpdateActivation: updateActivation, DeactivateMachine: deactivateMachine,
  // Floating seats.
  RequestSeat: requestSeat, HeartbeatSeat: heartbeatSeat, ReleaseSeat: releaseSeat, ExpireLapsedSeats: expireLapsedSeats,
  // Tokens and the license's own settings.
  RevokeLicenseToken: revokeLicenseToken, ChangeSeatSettings: changeSeatSettings, DefineMeterAttributes: defineMeterAttributes,
}

/**
 * Decided on the order as recorded: no decision judges a seat's lease (the
 * cap counts every seat held until its end is recorded), so the seats' streams
 * matter only for the ends they record (context.liveness).
 */
export const decideUsage = (command: UsageCommand, state: OrderState, context: UsageContext): Decision =>
  state.exists ? (decisions[command.type] as Decide<UsageCommand>)(command, state, context) : E.left({ _tag: 'OrderNotFound', orderId: command.orderId })

export const usageDecider: Decider<UsageCommand, OrderState, OrderEvent, UsageError, UsageContext> = {
  initialState: initialOrderState,
  evolve: evolveOrder,
  decide: decideUsage,
}
