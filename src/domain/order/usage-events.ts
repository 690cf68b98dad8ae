// Facts of a license's use, in the order's own stream: machines activated and
// deactivated (node-locked), floating seats granted, renewed, released and
// expired, requests denied, tokens revoked. One stream per order is what lets
// "never more than activations_allowed" be decided under optimistic concurrency.
import * as t from 'io-ts'
import { Instant, NonNegativeInt, nullable, oneOf } from '../codecs.js'
import { SeatSettings } from './lease.js'
import { ActivationDetails, ClientFields, ClientId, ClientName, MachineId } from './machine.js'
import { MeterAttributesDefined } from './meters.js'
import { DenialRule } from './denial-rules.js'

const Id = t.string

export const MachineActivated = t.type({
  type: t.literal('MachineActivated'),
  data: t.type({ orderId: Id, activationId: Id, ...ClientFields, details: ActivationDetails, at: Instant }),
})

export const ActivationUpdated = t.type({
  type: t.literal('ActivationUpdated'),
  data: t.type({ orderId: Id, activationId: Id, clientId: ClientId, machineId: MachineId, details: ActivationDetails, at: Instant }),
})

export const MachineDeactivated = t.type({
  type: t.literal('MachineDeactivated'),
  data: t.type({ orderId: Id, activationId: Id, clientId: ClientId, machineId: MachineId, at: Instant }),
})

export const SeatGranted = t.type({
  type: t.literal('SeatGranted'),
  data: t.type({
    orderId: Id,
    seatId: Id,
    ...ClientFields,
    leaseExpiresAt: Instant,
    heartbeatIntervalSeconds: NonNegativeInt,
    at: Instant,
  }),
})

export const SeatLeaseRenewed = t.type({
  type: t.literal('SeatLeaseRenewed'),
  data: t.type({
    orderId: Id,
    seatId: Id,
    clientId: ClientId,
    machineId: MachineId,
    leaseExpiresAt: Instant,
    heartbeatIntervalSeconds: NonNegativeInt,
    at: Instant,
  }),
})

export const SeatReleased = t.type({
  type: t.literal('SeatReleased'),
  data: t.type({ orderId: Id, seatId: Id, clientId: ClientId, machineId: MachineId, at: Instant }),
})

export const SeatExpired = t.type({
  type: t.literal('SeatExpired'),
  data: t.type({
    orderId: Id,
    seatId: Id,
    clientId: ClientId,
    machineId: MachineId,
    /** When the lease ran out: the moment the seat died, whenever it was noticed. */
    at: Instant,
    /** When the engine noticed and recorded it. */
    recordedAt: Instant,
  }),
})

export const SeatRequestDenied = t.type({
  type: t.literal('SeatRequestDenied'),
  data: t.intersection([
    t.type({
      orderId: Id,
      clientId: ClientId,
      machineId: MachineId,
      clientName: nullable(ClientName),
      /** Places taken and allowed when the request came. */
      active: NonNegativeInt,
      limit: NonNegativeInt,
      at: Instant,
    }),
    // Recorded since denials are explained (GET /license-orders/{key}/denials); absent from older events.
    t.partial({
      /** What the client's answer names (granted: false), and the denials list resolves. */
      denialId: Id,
      rule: DenialRule,
      /** The order stream's revision the decision was made on: the holders then are that state's. */
      decidedOnRevision: nullable(NonNegativeInt),
    }),
  ]),
})

/** A new activation refused (every place taken): recorded once per client per window, as a seat request's denial is. */
export const ActivationDenied = t.type({
  type: t.literal('ActivationDenied'),
  data: t.type({
    orderId: Id,
    /** What the refusal answers name (seed 002's success: false, seed 003's X-Denial-Id), and the denials list resolves. */
    denialId: Id,
    clientId: ClientId,
    machineId: MachineId,
    clientName: nullable(ClientName),
    rule: DenialRule,
    /** Places taken and allowed when the activation was asked for. */
    active: NonNegativeInt,
    limit: NonNegativeInt,
    /** The order stream's revision the decision was made on (null: unknown to the decider). */
    decidedOnRevision: nullable(NonNegativeInt),
    at: Instant,
  }),
})

export const TokenKind = oneOf('seat', 'activation')
export type TokenKind = t.TypeOf<typeof TokenKind>

export const LicenseTokenRevoked = t.type({
  type: t.literal('LicenseTokenRevoked'),
  data: t.type({
    orderId: Id,
    tokenId: Id,
    kind: TokenKind,
    clientId: ClientId,
    machineId: MachineId,
    clientName: nullable(ClientName),
    issuedAt: Instant,
    at: Instant,
  }),
})

export const SeatSettingsChanged = t.type({
  type: t.literal('SeatSettingsChanged'),
  data: t.intersection([t.type({ orderId: Id, at: Instant }), SeatSettings]),
})

export const UsageEvent = t.union([
  MachineActivated,
  ActivationUpdated,
  MachineDeactivated,
  SeatGranted,
  SeatLeaseRenewed,
  SeatReleased,
  SeatExpired,
  SeatRequestDenied,
  ActivationDenied,
  LicenseTokenRevoked,
  SeatSettingsChanged,
  MeterAttributesDefined,
])
export type UsageEvent = t.TypeOf<typeof UsageEvent>

export const usageSchemaVersions: Readonly<Record<UsageEvent['type'], number>> = {
  MachineActivated: 1,
  ActivationUpdated: 1,
  MachineDeactivated: 1,
  SeatGranted: 1,
  SeatLeaseRenewed: 1,
  SeatReleased: 1,
  SeatExpired: 1,
  SeatRequestDenied: 1,
  ActivationDenied: 1,
  LicenseTokenRevoked: 1,
  SeatSettingsChanged: 1,
  MeterAttributesDefined: 1,
}
