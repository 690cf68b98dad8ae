// Leases of floating seats. A seat is alive while its recorded lease has not
// run out; nothing marks it dead at the moment it lapses, so every decision
// derives liveness from the lease and `now`. A lease is renewed in the log
// only once past half its life, so heartbeats do not grow the log one event
// each: at the defaults (60 s interval, 180 s lease) every other heartbeat renews.
// What a client is told (its deadline, the interval to beat at) is decided here too.
import * as t from 'io-ts'
import { IntFromInput } from '../codecs.js'
import { clientKey } from './machine.js'
import { ownEntry } from './meters.js'
import type { ExistingOrder } from './state.js'
import type { OrderUsage, Seat } from './usage.js'

export const DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 60
/** A lease lasts this many heartbeat intervals unless the order says otherwise: one or two lost heartbeats are survived. */
export const DEFAULT_LEASE_INTERVALS = 3

/** How long after a recorded denial the same client's next denial goes unrecorded. */
export const DENIAL_RECORD_WINDOW_MS = 60_000

export const HeartbeatIntervalSeconds = IntFromInput(5, 86_400)
export const LeaseSeconds = IntFromInput(10, 7 * 86_400)

export const SeatSettings = t.type({ heartbeatIntervalSeconds: HeartbeatIntervalSeconds, leaseSeconds: LeaseSeconds })
export type SeatSettings = t.TypeOf<typeof SeatSettings>

export const defaultSeatSettings: SeatSettings = {
  heartbeatIntervalSeconds: DEFAULT_HEARTBEAT_INTERVAL_SECONDS,
  leaseSeconds: DEFAULT_HEARTBEAT_INTERVAL_SECONDS * DEFAULT_LEASE_INTERVALS,
}

/** Settings as a vendor asks for them: the lease, when not given, lasts DEFAULT_LEASE_INTERVALS intervals. */
export const seatSettingsFor = (heartbeatIntervalSeconds: number, leaseSeconds: number | null): SeatSettings => ({
  heartbeatIntervalSeconds,
  leaseSeconds: leaseSeconds ?? heartbeatIntervalSeconds * DEFAULT_LEASE_INTERVALS,
})

/** The shortest lease for an interval: a lease shorter than two intervals dies of a single late heartbeat. */
export const leaseMinimum = (heartbeatIntervalSeconds: number): number => 2 * heartbeatIntervalSeconds

/** The order's seat settings: its own, or the defaults. */
export const seatSettingsOf = (order: ExistingOrder): SeatSettings => order.usage.seatSettings ?? defaultSeatSettings

/** The interval a client is told to beat at: its seat's own, or the order's when it holds no seat. */
export const heartbeatIntervalOf = (order: ExistingOrder, seat: Seat | null): number =>
  seat?.heartbeatIntervalSeconds ?? seatSettingsOf(order).heartbeatIntervalSeconds

/**
 * A seat's deadline as its holder is told it: the lease while the seat is
 * held; once it expired or was revoked, the moment it ended (while the order
 * remembers how the holder's last seat ended); null when released or forgotten.
 */
export const seatDeadline = (usage: OrderUsage, seatId: string, holder: { readonly clientId: string; readonly machineId: string }): string | null => {
  const seat = ownEntry(usage.seats, seatId)
  if (seat !== undefined) return seat.leaseExpiresAt
  const ended = ownEntry(usage.lastEnds, clientKey(holder))
  return ended?.tokenId === seatId ? ended.at : null
}

export interface Leased {
  /** When the lease was last written: the grant or the last renewal. */
  readonly renewedAt: string
  readonly leaseExpiresAt: string
}

export const leaseEnd = (now: Date, settings: SeatSettings): string => new Date(now.getTime() + settings.leaseSeconds * 1000).toISOString()

/** Dead: the lease ran out at or before `now`. */
export const lapsed = (seat: Leased, now: Date): boolean => Date.parse(seat.leaseExpiresAt) <= now.getTime()

/** Past half its life: the next heartbeat writes a new lease. */
export const dueForRenewal = (seat: Leased, now: Date): boolean => {
  const from = Date.parse(seat.renewedAt)
  const to = Date.parse(seat.leaseExpiresAt)
  return now.getTime() - from >= (to - from) / 2
}
