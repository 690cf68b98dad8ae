// What a license order is being used by, folded from its usage events:
// node-locked activations, floating seats with their leases, and the little
// memory the rules need (recent denials, how a client's last seat ended,
// revoked tokens). Plain records, not Maps: the state is also the read
// model's JSON.
import { DENIAL_RECORD_WINDOW_MS, leased, type Leased, type SeatSettings } from './lease.js'
import { clientKey, type ActivationDetails } from './machine.js'
import { defineMeters, moveUses, type LicenseMeters } from './meters.js'
import type { TokenKind, UsageEvent } from './usage-events.js'

export interface Activation {
  readonly activationId: string
  readonly clientId: string
  readonly machineId: string
  readonly clientName: string | null
  readonly clientAddr: string | null
  readonly details: ActivationDetails
  readonly activatedAt: string
  readonly updatedAt: string
}

/** A seat as the order records it; its lease (Leased) is the grant's, or the last renewal written to the order's stream. */
export interface Seat extends Leased {
  readonly seatId: string
  readonly clientId: string
  readonly machineId: string
  readonly clientName: string | null
  readonly clientAddr: string | null
  readonly grantedAt: string
}

export interface RevokedToken {
  readonly tokenId: string
  readonly kind: TokenKind
  readonly clientId: string
  readonly machineId: string
  readonly clientName: string | null
  readonly issuedAt: string
  readonly revokedAt: string
}

/** How a client's last seat ended when it did not give it back itself. */
export interface SeatEnd {
  readonly tokenId: string
  readonly reason: 'expired' | 'revoked'
  readonly at: string
}

export interface OrderUsage {
  readonly activations: Readonly<Record<string, Activation>>
  /** Seats as recorded; some may have lapsed without their expiry being written yet. */
  readonly seats: Readonly<Record<string, Seat>>
  /** How many seats `seats` holds, and which a client holds (client key -> seat id): a decision neither counts nor searches them. */
  readonly seatCount: number
  readonly seatsByClient: Readonly<Record<string, string>>
  /** Deactivations made over the order's life, counted against deactivations_allowed. */
  readonly deactivations: number
  /** null: the defaults. */
  readonly seatSettings: SeatSettings | null
  /** The license's first activation or grant: where days_from_activation count from. */
  readonly firstUsedAt: string | null
  /** Client key -> time of the last denial recorded for it, within the recording window. */
  readonly recentDenials: Readonly<Record<string, string>>
  /** Client key -> the last activation denial recorded for it, within the recording window: its answer names that one again. */
  readonly recentActivationDenials: Readonly<Record<string, RecentDenial>>
  /** Client key -> how its last seat or activation was taken from it, for a day. */
  readonly lastEnds: Readonly<Record<string, SeatEnd>>
  readonly revokedTokens: Readonly<Record<string, RevokedToken>>
  /** Seed 003's meter attributes: the license's counters and their allowed uses; absent until one is defined or used. */
  readonly meters?: LicenseMeters
  /** Only on an order a reply is made from (liveness.ts), never folded from events nor stored. */
  readonly streams?: SeatStreams
}

/**
 * What a reply knows of the seats' own streams beyond the order's record:
 * the leases of the seats its decision read there, and a moment before which
 * no held seat dies, so that live seats are counted without a walk over them.
 */
export interface SeatStreams {
  /** By seat id: the lease as the seat's stream leaves it. */
  readonly leases: Readonly<Record<string, Leased>>
  /** Epoch ms: no held seat's lease (grace included) runs out before it; a seat not in `leases` is counted live until then and after. */
  readonly noneDieBefore: number
}

export interface RecentDenial {
  readonly denialId: string
  readonly at: string
}

export const emptyUsage: OrderUsage = {
  activations: {},
  seats: {},
  seatCount: 0,
  seatsByClient: {},
  deactivations: 0,
  seatSettings: null,
  firstUsedAt: null,
  recentDenials: {},
  recentActivationDenials: {},
  lastEnds: {},
  revokedTokens: {},
}

const END_MEMORY_MS = 24 * 60 * 60 * 1000

const without = <V>(record: Readonly<Record<string, V>>, key: string): Readonly<Record<string, V>> => {
  if (!(key in record)) return record
  const { [key]: _dropped, ...rest } = record
  return rest
}

const keepWhere = <V>(record: Readonly<Record<string, V>>, keep: (value: V) => boolean): Readonly<Record<string, V>> => {
  const entries = Object.entries(record)
  const kept = entries.filter(([, value]) => keep(value))
  return kept.length === entries.length ? record : Object.fromEntries(kept)
}

/**
 * The earliest time a record's values hold (NaN when one does not parse),
 * remembered per record: records are never changed once made, and most
 * events leave these two as they were, so each is read through once rather
 * than at every event (a day of seat ends is dozens of entries per license).
 */
const earliestTimes = new WeakMap<object, number>()
const earliest = <V>(record: Readonly<Record<string, V>>, timeOf: (value: V) => string): number => {
  let found = earliestTimes.get(record)
  if (found === undefined) {
    found = Infinity
    for (const key in record) found = Math.min(found, Date.parse(timeOf(record[key]!)))
    earliestTimes.set(record, found)
  }
  return found
}

/** The entries younger than `maxAgeMs` at `now`: the record itself when that is all of them. */
const keepYounger = <V>(record: Readonly<Record<string, V>>, timeOf: (value: V) => string, now: number, maxAgeMs: number): Readonly<Record<string, V>> =>
  now - earliest(record, timeOf) < maxAgeMs ? record : keepWhere(record, (value) => now - Date.parse(timeOf(value)) < maxAgeMs)

/** Forgets denials and seat ends older than they matter, so the state stays small however long the order lives. */
const forgetOld = (usage: OrderUsage, at: string): OrderUsage => {
  const now = Date.parse(at)
  const recentDenials = keepYounger(usage.recentDenials, (time) => time, now, DENIAL_RECORD_WINDOW_MS)
  const recentActivationDenials = keepYounger(usage.recentActivationDenials, (denial) => denial.at, now, DENIAL_RECORD_WINDOW_MS)
  const lastEnds = keepYounger(usage.lastEnds, (end) => end.at, now, END_MEMORY_MS)
  return recentDenials === usage.recentDenials && recentActivationDenials === usage.recentActivationDenials && lastEnds === usage.lastEnds
    ? usage
    : { ...usage, recentDenials, recentActivationDenials, lastEnds }
}

const firstUse = (usage: OrderUsage, at: string): string => usage.firstUsedAt ?? at

/** The license's counters follow every change of an activation's own uses. */
const withMeters = (usage: OrderUsage, meters: LicenseMeters | undefined): OrderUsage =>
  meters === usage.meters || meters === undefined ? usage : { ...usage, meters }

/** The usage without a seat (and the client's index entry, if it is that seat's). */
const withoutSeat = (usage: OrderUsage, seatId: string, client: { readonly clientId: string; readonly machineId: string }): OrderUsage => {
  if (!Object.prototype.hasOwnProperty.call(usage.seats, seatId)) return usage
  const key = clientKey(client)
  return {
    ...usage,
    seats: without(usage.seats, seatId),
    seatCount: usage.seatCount - 1,
    seatsByClient: usage.seatsByClient[key] === seatId ? without(usage.seatsByClient, key) : usage.seatsByClient,
  }
}

export const evolveUsage = (current: OrderUsage, event: UsageEvent): OrderUsage => {
  // A SeatExpired's own time is the (past) end of the lease; what is old is judged by when it was written.
  // A renewal forgets nothing: renewals live in the seats' own streams, which the read model folds in
  // and a decision on the order does not, so forgetting at them would make the two disagree.
  const usage =
    event.type === 'SeatLeaseRenewed' ? current : forgetOld(current, event.type === 'SeatExpired' ? event.data.recordedAt : event.data.at)
  switch (event.type) {
    case 'MachineActivated': {
      const { activationId, clientId, machineId, clientName, clientAddr, details, at } = event.data
      return {
        ...withMeters(usage, moveUses(usage.meters, [], details.meterAttributes)),
        firstUsedAt: firstUse(usage, at),
        activations: { ...usage.activations, [activationId]: { activationId, clientId, machineId, clientName, clientAddr, details, activatedAt: at, updatedAt: at } },
        recentActivationDenials: without(usage.recentActivationDenials, clientKey(event.data)),
        lastEnds: without(usage.lastEnds, clientKey(event.data)),
      }
    }
    case 'ActivationUpdated': {
      const activation = usage.activations[event.data.activationId]
      if (activation === undefined) return usage
      return {
        ...withMeters(usage, moveUses(usage.meters, activation.details.meterAttributes, event.data.details.meterAttributes)),
        activations: { ...usage.activations, [activation.activationId]: { ...activation, details: event.data.details, updatedAt: event.data.at } },
      }
    }
    case 'MachineDeactivated':
      return { ...usage, activations: without(usage.activations, event.data.activationId), deactivations: usage.deactivations + 1 }
    case 'SeatGranted': {
      const { seatId, clientId, machineId, clientName, clientAddr, leaseExpiresAt, heartbeatIntervalSeconds, at } = event.data
      const again = Object.prototype.hasOwnProperty.call(usage.seats, seatId)
      return {
        ...usage,
        firstUsedAt: firstUse(usage, at),
        seats: {
          ...usage.seats,
          [seatId]: { seatId, clientId, machineId, clientName, clientAddr, grantedAt: at, ...leased(at, leaseExpiresAt, heartbeatIntervalSeconds) },
        },
        seatCount: again ? usage.seatCount : usage.seatCount + 1,
        seatsByClient: { ...usage.seatsByClient, [clientKey(event.data)]: seatId },
        recentDenials: without(usage.recentDenials, clientKey(event.data)),
        lastEnds: without(usage.lastEnds, clientKey(event.data)),
      }
    }
    case 'SeatLeaseRenewed': {
      const seat = usage.seats[event.data.seatId]
      if (seat === undefined) return usage
      const { leaseExpiresAt, heartbeatIntervalSeconds, at } = event.data
      return { ...usage, seats: { ...usage.seats, [seat.seatId]: { ...seat, ...leased(at, leaseExpiresAt, heartbeatIntervalSeconds) } } }
    }
    case 'SeatReleased':
      return withoutSeat(usage, event.data.seatId, event.data)
    case 'SeatExpired': {
      const { seatId, at } = event.data
      return {
        ...withoutSeat(usage, seatId, event.data),
        lastEnds: { ...usage.lastEnds, [clientKey(event.data)]: { tokenId: seatId, reason: 'expired', at } },
      }
    }
    case 'SeatRequestDenied':
      return { ...usage, recentDenials: { ...usage.recentDenials, [clientKey(event.data)]: event.data.at } }
    case 'ActivationDenied': {
      const { denialId, at } = event.data
      return { ...usage, recentActivationDenials: { ...usage.recentActivationDenials, [clientKey(event.data)]: { denialId, at } } }
    }
    case 'LicenseTokenRevoked': {
      const { tokenId, kind, clientId, machineId, clientName, issuedAt, at } = event.data
      return {
        ...withoutSeat(usage, tokenId, event.data),
        activations: without(usage.activations, tokenId),
        revokedTokens: { ...usage.revokedTokens, [tokenId]: { tokenId, kind, clientId, machineId, clientName, issuedAt, revokedAt: at } },
        lastEnds: { ...usage.lastEnds, [clientKey(event.data)]: { tokenId, reason: 'revoked', at } },
      }
    }
    case 'SeatSettingsChanged': {
      const { heartbeatIntervalSeconds, leaseSeconds } = event.data
      return { ...usage, seatSettings: { heartbeatIntervalSeconds, leaseSeconds } }
    }
    case 'MeterAttributesDefined':
      return { ...usage, meters: defineMeters(usage.meters, event.data.attributes) }
  }
}
