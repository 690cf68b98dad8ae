// Leases of floating seats. A seat is alive while its recorded lease (plus a
// short grace for late heartbeats) has not run out; nothing marks it dead at
// the moment it lapses, so every decision derives liveness from the lease and
// `now`. Every heartbeat that comes at its interval renews the lease, so the
// lease always runs a full length from the last heartbeat: at the defaults
// (60 s interval, 180 s lease, 10 s grace) a seat survives two lost heartbeats
// in a row, the next arriving up to 10 s late; with the shortest lease allowed,
// one lost at any phase (see leaseMinimum). Only a
// heartbeat sooner than half an interval after the last renewal writes
// nothing, so a client beating too fast cannot flood the log.
// What a client is told (its deadline, the interval to beat at) is decided here too.
import * as t from 'io-ts'
import { IntFromInput } from '../codecs.js'
import { clientKey } from './machine.js'
import { ownEntry } from './meters.js'
import type { ExistingOrder } from './state.js'
import type { OrderUsage, Seat } from './usage.js'

export const DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 60
/** A lease lasts this many heartbeat intervals unless the order says otherwise: two lost heartbeats in a row are survived. */
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

/**
 * The shortest lease for an interval: two and a half intervals, so that one
 * lost heartbeat is survived at any phase. The heartbeat after a lost one
 * comes two intervals after the last one that arrived, and that one may have
 * renewed nothing (it came less than half an interval after the last renewal):
 * two intervals plus that half, with the grace as the margin for lateness.
 */
export const leaseMinimum = (heartbeatIntervalSeconds: number): number => Math.ceil(2.5 * heartbeatIntervalSeconds)

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
  if (seat !== undefined) return (ownEntry(usage.streams?.leases, seatId) ?? seat).leaseExpiresAt
  const ended = ownEntry(usage.lastEnds, clientKey(holder))
  return ended?.tokenId === seatId ? ended.at : null
}

export interface Leased {
  /** When the lease was last written: the grant or the last renewal. */
  readonly renewedAt: string
  readonly leaseExpiresAt: string
  /** The interval its holder was told to beat at. */
  readonly heartbeatIntervalSeconds: number
  /** renewedAt and leaseExpiresAt as epoch milliseconds, parsed once when the lease is written: what every check compares. */
  readonly renewedMs: number
  readonly expiresMs: number
}

/** A lease's times as numbers: all a check of it reads (a seat's own stream keeps no more). */
export type LeaseTimes = Pick<Leased, 'renewedMs' | 'expiresMs' | 'heartbeatIntervalSeconds'>

/** A lease as written (times as the events give them), with its times as numbers. */
export const leased = (renewedAt: string, leaseExpiresAt: string, heartbeatIntervalSeconds: number): Leased => ({
  renewedAt,
  leaseExpiresAt,
  heartbeatIntervalSeconds,
  renewedMs: Date.parse(renewedAt),
  expiresMs: Date.parse(leaseExpiresAt),
})

export const leaseEnd = (now: Date, settings: SeatSettings): string => new Date(now.getTime() + settings.leaseSeconds * 1000).toISOString()

/**
 * How long past its lease a seat still lives: a sixth of its interval (10 s at
 * the defaults). A heartbeat that was due exactly at the deadline (the third
 * after two lost ones, at the defaults) arrives a little late over a real
 * network; without the grace it would always find its seat dead. The holder
 * is told the lease itself, never the grace.
 */
export const leaseGraceMs = (heartbeatIntervalSeconds: number): number => Math.round((heartbeatIntervalSeconds * 1000) / 6)

/** When the seat dies: its lease plus the grace. */
export const deadAt = (seat: LeaseTimes): number => seat.expiresMs + leaseGraceMs(seat.heartbeatIntervalSeconds)

/** Dead: the lease and its grace ran out at or before `now` (a heartbeat at that very moment is too late). */
export const lapsed = (seat: LeaseTimes, now: Date): boolean => lapsedBy(seat, now.getTime())

/** lapsed, with `now` in epoch milliseconds. */
export const lapsedBy = (seat: LeaseTimes, nowMs: number): boolean => deadAt(seat) <= nowMs

/**
 * Half an interval or more since the lease was last written: this heartbeat
 * writes a new one, a full lease from now. A client beating at its interval
 * renews with every heartbeat; one beating faster renews at most twice an interval.
 */
export const dueForRenewal = (seat: LeaseTimes, now: Date): boolean => dueForRenewalBy(seat, now.getTime())

/** dueForRenewal, with `now` in epoch milliseconds. */
export const dueForRenewalBy = (seat: LeaseTimes, nowMs: number): boolean => nowMs - seat.renewedMs >= (seat.heartbeatIntervalSeconds * 1000) / 2
