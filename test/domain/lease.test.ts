// The lease rules a client is told about, as sentences: given the order's
// past, its seat settings, the interval to beat at and a seat's deadline; and
// what a seat survives: given a seat and its client's heartbeats, when some
// are lost or late, then the seat lives on (or dies, and when).
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { fold } from '../../src/domain/decider.js'
import {
  evolveOrder,
  heartbeatIntervalOf,
  initialOrderState,
  leaseGraceMs,
  leaseMinimum,
  seatDeadline,
  seatSettingsFor,
  seatSettingsOf,
  usageDecider,
  type ExistingOrder,
  type OrderEvent,
  type OrderState,
  type SeatSettings,
} from '../../src/domain/order/index.js'
import { evolveSeat, initialSeatState, seatDecider, type RecordedSeat, type SeatCommand, type SeatEvent, type SeatState } from '../../src/domain/seat/index.js'
import { NOW, seedTerms } from './fixtures.js'

const orderId = 'order-1'
const iso = (seconds: number): string => new Date(NOW.getTime() + seconds * 1000).toISOString()
const holder = { clientId: 'client-1', machineId: 'machine-1' }

const created: OrderEvent = { type: 'OrderCreated', data: { orderId, activationKey: 'LEASE-KEY' as ActivationKey, terms: seedTerms, at: iso(0) } }
const granted: OrderEvent = {
  type: 'SeatGranted',
  data: { orderId, seatId: 'seat-1', ...holder, clientName: null, clientAddr: null, leaseExpiresAt: iso(180), heartbeatIntervalSeconds: 60, at: iso(0) },
}
const settingsChanged: OrderEvent = { type: 'SeatSettingsChanged', data: { orderId, heartbeatIntervalSeconds: 30, leaseSeconds: 90, at: iso(10) } }
const expired: OrderEvent = { type: 'SeatExpired', data: { orderId, seatId: 'seat-1', ...holder, at: iso(180), recordedAt: iso(300) } }
const released: OrderEvent = { type: 'SeatReleased', data: { orderId, seatId: 'seat-1', ...holder, at: iso(100) } }
const revoked: OrderEvent = {
  type: 'LicenseTokenRevoked',
  data: { orderId, tokenId: 'seat-1', kind: 'seat', ...holder, clientName: null, issuedAt: iso(0), at: iso(120) },
}

const given = (...past: readonly OrderEvent[]): ExistingOrder => fold(evolveOrder, initialOrderState)([created, ...past]) as ExistingOrder

describe('seat settings', () => {
  it('given an interval and no lease, then the lease lasts three intervals', () => {
    expect(seatSettingsFor(20, null)).toEqual({ heartbeatIntervalSeconds: 20, leaseSeconds: 60 })
  })

  it('given an interval and a lease, then the lease is the one given', () => {
    expect(seatSettingsFor(20, 45)).toEqual({ heartbeatIntervalSeconds: 20, leaseSeconds: 45 })
  })

  it('given an interval, then the shortest lease is two and a half intervals (rounded up to a second)', () => {
    expect(leaseMinimum(20)).toBe(50)
    expect(leaseMinimum(5)).toBe(13)
  })

  it('given an interval, then a lease’s grace is a sixth of it: 10 s at the defaults', () => {
    expect(leaseGraceMs(60)).toBe(10_000)
    expect(leaseGraceMs(5)).toBe(833)
  })

  it('given an order nobody configured, then its settings are the defaults (60 s interval, 180 s lease)', () => {
    expect(seatSettingsOf(given())).toEqual({ heartbeatIntervalSeconds: 60, leaseSeconds: 180 })
  })

  it('given changed settings, then the order has them', () => {
    expect(seatSettingsOf(given(settingsChanged))).toEqual({ heartbeatIntervalSeconds: 30, leaseSeconds: 90 })
  })
})

describe('the interval a client is told to beat at', () => {
  it('given a held seat, then it is the seat’s own, even after the order’s settings changed', () => {
    const order = given(granted, settingsChanged)
    expect(heartbeatIntervalOf(order, order.usage.seats['seat-1']!)).toBe(60)
  })

  it('given no seat held, then it is the order’s', () => {
    expect(heartbeatIntervalOf(given(settingsChanged), null)).toBe(30)
  })
})

describe('a seat’s deadline', () => {
  it('given a held seat, then it is the seat’s lease', () => {
    expect(seatDeadline(given(granted).usage, 'seat-1', holder)).toBe(iso(180))
  })

  it('given a seat that expired, then it is the moment its lease ran out', () => {
    expect(seatDeadline(given(granted, expired).usage, 'seat-1', holder)).toBe(iso(180))
  })

  it('given a seat whose token was revoked, then it is the moment it was revoked', () => {
    expect(seatDeadline(given(granted, revoked).usage, 'seat-1', holder)).toBe(iso(120))
  })

  it('given a seat its holder released, then there is none', () => {
    expect(seatDeadline(given(granted, released).usage, 'seat-1', holder)).toBeNull()
  })

  it('given the holder’s last seat ended as another token, then there is none for this one', () => {
    expect(seatDeadline(given(granted, expired).usage, 'seat-2', holder)).toBeNull()
  })
})

// A seat's life under a client's heartbeats, decided by the real deciders:
// the order's grants the seat at 0 s, the seat's own stream decides each
// heartbeat (a renewal, nothing, or its expiry); its client beats every
// interval from `phase` seconds after the grant (its first beat anywhere in
// the interval); the heartbeats numbered in `lost` never arrive; the one right
// after a gap arrives `lateMs` late (the worst case: the last one before the
// gap renewed on time, the next comes late), the others on time.
interface Beats {
  readonly phase: number
  readonly lost: readonly number[]
  readonly lateMs: number
}

const at = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000)

const decided = (state: OrderState, command: Parameters<typeof usageDecider.decide>[0], seconds: number): readonly OrderEvent[] => {
  const outcome = usageDecider.decide(command, state, { now: at(seconds), newId: 'seat-1' })
  if (E.isLeft(outcome)) throw new Error(`decision failed: ${JSON.stringify(outcome.left)}`)
  return outcome.right
}

/** Given a seat under these settings and heartbeats: when (in seconds after the grant) a heartbeat found it dead, or null when every heartbeat kept it. */
const deathOf = (settings: SeatSettings, beats: Beats): number | null => {
  const interval = settings.heartbeatIntervalSeconds
  const configured: OrderEvent = { type: 'SeatSettingsChanged', data: { orderId, ...settings, at: iso(0) } }
  const order = fold(evolveOrder, initialOrderState)([created, configured])
  const grant = decided(order, { type: 'RequestSeat', orderId, ...holder, clientName: null, clientAddr: null }, 0).find((event) => event.type === 'SeatGranted')
  if (grant?.type !== 'SeatGranted') throw new Error('the seat was not granted')
  const { seatId, clientId, machineId, leaseExpiresAt, heartbeatIntervalSeconds, at: renewedAt } = grant.data
  const seat: RecordedSeat = { orderId, seatId, clientId, machineId, renewedAt, leaseExpiresAt, heartbeatIntervalSeconds }
  let state: SeatState = initialSeatState
  const seatDecided = (command: SeatCommand, seconds: number): readonly SeatEvent[] => {
    const outcome = seatDecider.decide(command, state, { now: at(seconds) })
    if (E.isLeft(outcome)) throw new Error('a seat decision failed')
    state = outcome.right.reduce(evolveSeat, state)
    return outcome.right
  }
  seatDecided({ type: 'StartSeatLease', seat }, 0)
  // Past the lease and then some, so that every heartbeat of the lease can be the lost one.
  const count = Math.ceil(settings.leaseSeconds / interval) + 4
  for (let n = 0; n < count; n++) {
    if (beats.lost.includes(n)) continue
    const when = beats.phase + n * interval + (beats.lost.includes(n - 1) ? beats.lateMs / 1000 : 0)
    if (seatDecided({ type: 'RenewSeatLease', seat, settings }, when).some((event) => event.type === 'SeatLeaseExpired')) return when
  }
  return null
}

/** Every phase of the lease: the client's first beat 5 s, 10 s, ... an interval after the grant. */
const phases = (interval: number): readonly number[] => Array.from({ length: Math.floor(interval / 5) }, (_, i) => (i + 1) * 5)

describe('a lost heartbeat, at every phase of the lease', () => {
  const cases: readonly (SeatSettings & { readonly name: string })[] = [
    { name: 'the defaults (60 s interval, 180 s lease)', heartbeatIntervalSeconds: 60, leaseSeconds: 180 },
    { name: 'the shortest lease at the default interval (60 s, 150 s)', heartbeatIntervalSeconds: 60, leaseSeconds: 150 },
    { name: 'the shortest lease at a 20 s interval (20 s, 50 s)', heartbeatIntervalSeconds: 20, leaseSeconds: 50 },
    { name: 'the shortest interval and lease (5 s, 13 s)', heartbeatIntervalSeconds: 5, leaseSeconds: 13 },
    { name: 'a long lease (30 s interval, 600 s lease)', heartbeatIntervalSeconds: 30, leaseSeconds: 600 },
  ]
  for (const settings of cases) {
    it(`given a seat under ${settings.name}, when any one heartbeat is lost and the next comes up to just under the grace late, then the seat lives on`, () => {
      const interval = settings.heartbeatIntervalSeconds
      const heartbeats = Math.ceil(settings.leaseSeconds / interval) + 1
      const deaths: string[] = []
      for (const phase of phases(interval))
        for (let lost = 0; lost < heartbeats; lost++)
          for (const lateMs of [0, leaseGraceMs(interval) - 1]) {
            const death = deathOf(settings, { phase, lost: [lost], lateMs })
            if (death !== null) deaths.push(`first beat at ${phase} s, beat ${lost} lost, ${lateMs} ms late: dead at ${death} s`)
          }
      expect(deaths).toEqual([])
    })
  }

  it('given a seat at the shortest lease whose beat renewed nothing (under half an interval after the grant), when the next is lost and the one after comes a full grace late, then it is dead: the minimum is tight', () => {
    // Granted at 0 (lease to 150 s, grace to 160 s); the beat at 29 s renews nothing; 89 s is lost; 149 s arrives 11 s late.
    expect(deathOf({ heartbeatIntervalSeconds: 60, leaseSeconds: 150 }, { phase: 29, lost: [1], lateMs: 11_000 })).toBe(160)
  })
})

describe('two lost heartbeats in a row, at the defaults', () => {
  const defaults: SeatSettings = { heartbeatIntervalSeconds: 60, leaseSeconds: 180 }

  it('given a seat at the defaults, when any two heartbeats in a row are lost, at any phase, and the next comes up to 9.999 s late, then the seat lives on', () => {
    const deaths: string[] = []
    for (const phase of phases(60))
      for (let first = 0; first < 4; first++) {
        // A beat under half an interval after the grant renewed nothing: losses count from the grant (below).
        if (phase < 30 && first === 1) continue
        for (const lateMs of [0, 9_999]) {
          const death = deathOf(defaults, { phase, lost: [first, first + 1], lateMs })
          if (death !== null) deaths.push(`first beat at ${phase} s, beats ${first} and ${first + 1} lost, ${lateMs} ms late: dead at ${death} s`)
        }
      }
    expect(deaths).toEqual([])
  })

  it('given a seat at the defaults beating at its interval, when two in a row are lost and the next comes 10 s late (the whole grace), then it is dead at that moment', () => {
    // Renewed at 60 s (lease to 240 s, grace to 250 s); 120 s and 180 s lost; 240 s arrives at 250 s.
    expect(deathOf(defaults, { phase: 60, lost: [1, 2], lateMs: 10_000 })).toBe(250)
  })

  it('given a seat at the defaults, when three in a row are lost, then it is dead at the next heartbeat', () => {
    expect(deathOf(defaults, { phase: 60, lost: [1, 2, 3], lateMs: 0 })).toBe(300)
  })

  it('given a beat under half an interval after the grant (it renewed nothing), when the next two are lost, then the lease still runs from the grant: the seat lives to 190 s only', () => {
    expect(deathOf(defaults, { phase: 25, lost: [1, 2], lateMs: 0 })).toBe(205)
    expect(deathOf(defaults, { phase: 5, lost: [1, 2], lateMs: 0 })).toBeNull()
  })
})
