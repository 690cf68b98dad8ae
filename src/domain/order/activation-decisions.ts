// Decisions on node-locked activations (seed 002's activate and deactivate,
// seed 003's activations and their meter attributes): a new activation takes
// a place of activations_allowed, which live floating seats share.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { OrderEvent } from './events.js'
import { DENIAL_RECORD_WINDOW_MS } from './lease.js'
import { clientKey, noActivationDetails, type ActivationDetails } from './machine.js'
import { incrementUses, ownEntry } from './meters.js'
import { activationOf, limitOf, placesTaken } from './occupancy.js'
import type { ExistingOrder } from './state.js'
import type { ActivateMachine, ActivateMachineWithDetails, ActivationChanges, ActivationSelector, DeactivateMachine, UpdateActivation } from './usage-commands.js'
import { afterEndings, usable, type Decide, type Decision, type UsageContext } from './usage-decision.js'
import type { UsageError } from './usage-errors.js'
import type { Activation } from './usage.js'

const findActivation = (order: ExistingOrder, selector: ActivationSelector) =>
  'activationId' in selector ? ownEntry(order.usage.activations, selector.activationId) : activationOf(order.usage, selector)

/**
 * Every place taken: a new activation would exceed activations_allowed, and
 * is refused. The refusal is recorded (ActivationDenied, with the rule and the
 * revision it was decided on) once per client per window, so a client retrying
 * a full license cannot flood the log; within the window nothing is written and
 * the caller answers with the denial recorded then (recentActivationDenials).
 * A refusal is decided as events, not an error, so that it can be recorded; the
 * caller tells it by the client holding no activation after.
 */
const full = (order: ExistingOrder, command: ActivateMachine | ActivateMachineWithDetails, context: UsageContext): Decision | null => {
  const active = placesTaken(order)
  const limit = limitOf(order)
  if (active < limit) return null
  const { now, newId } = context
  const earlier = order.usage.recentActivationDenials[clientKey(command)]
  if (earlier !== undefined && now.getTime() - Date.parse(earlier.at) < DENIAL_RECORD_WINDOW_MS) return E.right([])
  const { clientId, machineId, clientName } = command
  const decidedOnRevision = context.revision ?? null
  return E.right([
    { type: 'ActivationDenied', data: { orderId: order.orderId, denialId: newId, clientId, machineId, clientName, rule: 'activations_allowed', active, limit, decidedOnRevision, at: now.toISOString() } },
  ])
}

/** The refusal an activation decided as `full` stands for, with the denial recorded for the client (null: none, as in an older log). */
export const activationRefusal = (
  order: ExistingOrder,
  client: { readonly clientId: string; readonly machineId: string },
): Extract<UsageError, { readonly _tag: 'ActivationLimitReached' }> => {
  const denialId = order.usage.recentActivationDenials[clientKey(client)]?.denialId
  return { _tag: 'ActivationLimitReached', orderId: order.orderId, limit: limitOf(order), ...(denialId === undefined ? {} : { denialId }) }
}

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

export const activateMachine: Decide<ActivateMachine> = (command, order, context) =>
  pipe(
    usable(order, context.now),
    E.chain(() =>
      afterEndings(order, context, (after) => {
        // The same client and machine again: the same activation, nothing new.
        if (activationOf(after.usage, command) !== undefined) return E.right([])
        return full(after, command, context) ?? E.right([activated(after, command, command.details, context)])
      }),
    ),
  )

export const activateMachineWithDetails: Decide<ActivateMachineWithDetails> = (command, order, context) =>
  pipe(
    usable(order, context.now),
    E.chain(() =>
      afterEndings(order, context, (after) => {
        const held = activationOf(after.usage, command)
        if (held !== undefined) return updateOf(after, held, command.changes, context.now.toISOString())
        return (
          full(after, command, context) ??
          pipe(
            changedDetails(after, noActivationDetails, command.changes),
            E.map((details) => [activated(after, command, details, context)]),
          )
        )
      }),
    ),
  )

export const updateActivation: Decide<UpdateActivation> = (command, order, { now }) => {
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

export const deactivateMachine: Decide<DeactivateMachine> = (command, order, { now }) => {
  const { orderId } = order
  const activation = findActivation(order, command.activation)
  if (activation === undefined) return E.left({ _tag: 'ActivationNotFound', orderId })
  const allowed = order.terms.deactivations_allowed
  if (allowed !== null && order.usage.deactivations >= allowed) return E.left({ _tag: 'DeactivationLimitReached', orderId, allowed })
  const { activationId, clientId, machineId } = activation
  return E.right([{ type: 'MachineDeactivated', data: { orderId, activationId, clientId, machineId, at: now.toISOString() } }])
}
