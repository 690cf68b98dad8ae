// Leases of floating seats. A seat is alive while its recorded lease has not
// run out; nothing marks it dead at the moment it lapses, so every decision
// derives liveness from the lease and `now`. A lease is renewed in the log
// only once past half its life, so heartbeats do not grow the log one event
// each: at the defaults (60 s interval, 180 s lease) every other heartbeat renews.
import * as t from 'io-ts'
import { IntFromInput } from '../codecs.js'

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
