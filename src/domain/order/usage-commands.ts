// Commands about a license's use: node-locked activations (seed 002's
// activate/deactivate, seed 003's activations) and floating seats (seed 002's
// request/release/heartbeat), decided on the order's stream.
import * as t from 'io-ts'
import { IntFromInput, nullable } from '../codecs.js'
import { SeatSettings } from './lease.js'
import { ActivationDetails, ClientAddr, ClientId, ClientName, MachineId, MetadataEntry } from './machine.js'
import { MeterDefinition } from './meters.js'

const OrderId = t.string

const Requester = {
  clientId: ClientId,
  machineId: MachineId,
  clientName: nullable(ClientName),
  clientAddr: nullable(ClientAddr),
}

/** Who presents a token: when given, the client and machine must be the token's own. */
const Presenter = { clientId: nullable(ClientId), machineId: nullable(MachineId) }

export const ActivateMachine = t.type({ type: t.literal('ActivateMachine'), orderId: OrderId, ...Requester, details: ActivationDetails })
export type ActivateMachine = t.TypeOf<typeof ActivateMachine>

const { meterAttributes: _meters, ...detailProps } = ActivationDetails.props

/** Seed 003's update: fields given replace the recorded ones; meter attributes move by increments. */
export const ActivationChanges = t.partial({
  ...detailProps,
  metadata: t.readonlyArray(MetadataEntry),
  meterIncrements: t.readonlyArray(t.type({ name: MetadataEntry.props.key, usesIncrement: IntFromInput(-Number.MAX_SAFE_INTEGER) })),
})
export type ActivationChanges = t.TypeOf<typeof ActivationChanges>

/**
 * Seed 003's activation: a machine described in detail. A machine activated
 * already is the same activation; the details sent then update it, as
 * UpdateActivation does.
 */
export const ActivateMachineWithDetails = t.type({
  type: t.literal('ActivateMachineWithDetails'),
  orderId: OrderId,
  ...Requester,
  changes: ActivationChanges,
})
export type ActivateMachineWithDetails = t.TypeOf<typeof ActivateMachineWithDetails>

export const UpdateActivation = t.type({ type: t.literal('UpdateActivation'), orderId: OrderId, activationId: t.string, changes: ActivationChanges })
export type UpdateActivation = t.TypeOf<typeof UpdateActivation>

/** By the client and machine (seed 002) or by the activation's id (seed 003). */
export const ActivationSelector = t.union([t.type({ clientId: ClientId, machineId: MachineId }), t.type({ activationId: t.string })])
export type ActivationSelector = t.TypeOf<typeof ActivationSelector>

export const DeactivateMachine = t.type({ type: t.literal('DeactivateMachine'), orderId: OrderId, activation: ActivationSelector })
export type DeactivateMachine = t.TypeOf<typeof DeactivateMachine>

export const RequestSeat = t.type({ type: t.literal('RequestSeat'), orderId: OrderId, ...Requester })
export type RequestSeat = t.TypeOf<typeof RequestSeat>

export const HeartbeatSeat = t.type({ type: t.literal('HeartbeatSeat'), orderId: OrderId, seatId: t.string, ...Presenter })
export type HeartbeatSeat = t.TypeOf<typeof HeartbeatSeat>

export const ReleaseSeat = t.type({ type: t.literal('ReleaseSeat'), orderId: OrderId, seatId: t.string, ...Presenter })
export type ReleaseSeat = t.TypeOf<typeof ReleaseSeat>

/** What the sweeper asks of an order nobody else is asking about. */
export const ExpireLapsedSeats = t.type({ type: t.literal('ExpireLapsedSeats'), orderId: OrderId })
export type ExpireLapsedSeats = t.TypeOf<typeof ExpireLapsedSeats>

export const RevokeLicenseToken = t.type({ type: t.literal('RevokeLicenseToken'), orderId: OrderId, tokenId: t.string })
export type RevokeLicenseToken = t.TypeOf<typeof RevokeLicenseToken>

export const ChangeSeatSettings = t.type({ type: t.literal('ChangeSeatSettings'), orderId: OrderId, settings: SeatSettings })
export type ChangeSeatSettings = t.TypeOf<typeof ChangeSeatSettings>

/** The license's meter attributes and their allowed uses (the whole list). */
export const DefineMeterAttributes = t.type({ type: t.literal('DefineMeterAttributes'), orderId: OrderId, attributes: t.readonlyArray(MeterDefinition) })
export type DefineMeterAttributes = t.TypeOf<typeof DefineMeterAttributes>

export const UsageCommand = t.union([
  ActivateMachine,
  ActivateMachineWithDetails,
  UpdateActivation,
  DeactivateMachine,
  RequestSeat,
  HeartbeatSeat,
  ReleaseSeat,
  ExpireLapsedSeats,
  RevokeLicenseToken,
  ChangeSeatSettings,
  DefineMeterAttributes,
])
export type UsageCommand = t.TypeOf<typeof UsageCommand>
