// When a license expires and its support ends (from seed 001's features), and
// where a client stands on it (seed 002's validate codes).
import { describe, expect, it } from 'vitest'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import {
  emptyUsage,
  evolveOrder,
  licenseExpiry,
  noActivationDetails,
  standingOf,
  supportExpiry,
  type ExistingOrder,
  type Feature,
  type OrderEvent,
  type OrderState,
} from '../../src/domain/order/index.js'
import { NOW, seedTerms } from './fixtures.js'

const base = seedTerms.Features[0]!
const feature = (change: Partial<Feature>): Feature => ({ ...base, ...change })
const never = feature({ expiration_type: 'no_expiration', days_from_activation: null })
const fixed = (date: string) => feature({ expiration_type: 'fixed', expiration_date: date, days_from_activation: null })
const days = (n: number) => feature({ expiration_type: 'days_from_activation', days_from_activation: n })

const orderWith = (features: readonly Feature[], events: readonly OrderEvent[] = [], change: Partial<typeof seedTerms> = {}): ExistingOrder => {
  const created: ExistingOrder = {
    exists: true,
    orderId: 'o',
    activationKey: 'K' as ActivationKey,
    serialNumber: null,
    terms: { ...seedTerms, ...change, Features: features },
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    usage: emptyUsage,
  }
  return events.reduce(evolveOrder, created as OrderState) as ExistingOrder
}

const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000)
const client = { clientId: 'c1', machineId: 'm1' }
const granted = (seconds = 0): OrderEvent => ({
  type: 'SeatGranted',
  data: { orderId: 'o', seatId: 's1', ...client, clientName: null, clientAddr: null, leaseExpiresAt: at(seconds + 180).toISOString(), heartbeatIntervalSeconds: 60, at: at(seconds).toISOString() },
})

describe('license expiry', () => {
  it('given a fixed expiration date, then the license is valid through that whole day, UTC', () => {
    expect(licenseExpiry(orderWith([fixed('2027-01-31')]), NOW)).toEqual(new Date('2027-02-01T00:00:00.000Z'))
  })
  it('given days from activation and no use yet, then they count from now', () => {
    expect(licenseExpiry(orderWith([days(10)]), at(5))).toEqual(at(5 + 10 * 86400))
  })
  it('given days from activation, then they count from the first activation or grant, not from later ones', () => {
    expect(licenseExpiry(orderWith([days(10)], [granted(100)]), at(5000))).toEqual(at(100 + 10 * 86400))
  })
  it('given several features, then the license lasts as long as the longest-lived enabled one', () => {
    expect(licenseExpiry(orderWith([fixed('2027-01-31'), fixed('2028-01-31'), { ...fixed('2030-01-01'), enabled: false }]), NOW)).toEqual(
      new Date('2028-02-01T00:00:00.000Z'),
    )
  })
  it('given a feature that never expires, or no feature at all, then the license does not expire', () => {
    expect(licenseExpiry(orderWith([fixed('2027-01-31'), never]), NOW)).toBeNull()
    expect(licenseExpiry(orderWith([]), NOW)).toBeNull()
  })
})

describe('support expiry', () => {
  it('given maintenance dates and days, then support ends at the latest of them; no_maintenance gives none', () => {
    const fixedSupport = feature({ maintenance_type: 'fixed', maintenance_date: '2027-06-30' })
    const daysSupport = feature({ maintenance_type: 'days_from_activation', maintenance_date: null, maintenance_days_from_activation: 1000 })
    const none = feature({ maintenance_type: 'no_maintenance', maintenance_date: null })
    expect(supportExpiry(orderWith([fixedSupport, none]), NOW)).toEqual(new Date('2027-07-01T00:00:00.000Z'))
    expect(supportExpiry(orderWith([fixedSupport, daysSupport]), NOW)).toEqual(at(1000 * 86400))
    expect(supportExpiry(orderWith([none]), NOW)).toBeNull()
  })
})

describe('standing (validate)', () => {
  it('given a live seat, then VALID with it (through its lease’s grace); once lease and grace ran out, HEARTBEAT_DEAD, before and after the expiry is written', () => {
    const order = orderWith([never], [granted()])
    expect(standingOf(order, client, at(100))).toMatchObject({ code: 'VALID', held: { kind: 'seat' } })
    expect(standingOf(order, client, at(189))).toMatchObject({ code: 'VALID', held: { kind: 'seat' } })
    expect(standingOf(order, client, at(190))).toEqual({ code: 'HEARTBEAT_DEAD' })
    const expired: OrderEvent = { type: 'SeatExpired', data: { orderId: 'o', seatId: 's1', ...client, at: at(180).toISOString(), recordedAt: at(200).toISOString() } }
    expect(standingOf(orderWith([never], [granted(), expired]), client, at(300))).toEqual({ code: 'HEARTBEAT_DEAD' })
  })
  it('given an activation, then VALID; the same client on another machine, FINGERPRINT_MISMATCH', () => {
    const activated: OrderEvent = {
      type: 'MachineActivated',
      data: { orderId: 'o', activationId: 'a1', ...client, clientName: null, clientAddr: null, details: noActivationDetails, at: NOW.toISOString() },
    }
    const order = orderWith([never], [activated])
    expect(standingOf(order, client, at(1))).toMatchObject({ code: 'VALID', held: { kind: 'activation' } })
    expect(standingOf(order, { clientId: 'c1', machineId: 'm2' }, at(1))).toEqual({ code: 'FINGERPRINT_MISMATCH' })
  })
  it('given a disabled order or an expired license, then DISABLED or EXPIRED before anything else', () => {
    expect(standingOf(orderWith([never], [granted()], { enabled: false }), client, at(1))).toEqual({ code: 'DISABLED' })
    expect(standingOf(orderWith([fixed('2026-01-01')], [granted()]), client, at(1))).toEqual({ code: 'EXPIRED' })
  })
  it('given nothing held, then NO_SEAT on a network license and NOT_ACTIVATED on a local one', () => {
    expect(standingOf(orderWith([never]), client, NOW)).toEqual({ code: 'NO_SEAT' })
    expect(standingOf(orderWith([never], [], { license_type: 'local' }), client, NOW)).toEqual({ code: 'NOT_ACTIVATED' })
  })
})

describe('what the state remembers', () => {
  it('given denials, then they are forgotten once the recording window has passed, so the state stays small', () => {
    const denied = (n: number, seconds: number): OrderEvent => ({
      type: 'SeatRequestDenied',
      data: { orderId: 'o', clientId: `c${n}`, machineId: `m${n}`, clientName: null, active: 1, limit: 1, at: at(seconds).toISOString() },
    })
    const order = orderWith([never], [denied(1, 0), denied(2, 30), denied(3, 61)])
    expect(Object.keys(order.usage.recentDenials)).toEqual([JSON.stringify(['c2', 'm2']), JSON.stringify(['c3', 'm3'])])
  })
  it('given seat ends, then each is forgotten a day after it was recorded, however many events came between, and nothing else is copied meanwhile', () => {
    const expired = (n: number, seconds: number): OrderEvent => ({
      type: 'SeatExpired',
      data: { orderId: 'o', seatId: `s${n}`, clientId: `c${n}`, machineId: `m${n}`, at: at(seconds - 180).toISOString(), recordedAt: at(seconds).toISOString() },
    })
    // Events of the order's own stream that touch no seat end: another client's denials.
    const denied = (seconds: number): OrderEvent => ({
      type: 'SeatRequestDenied',
      data: { orderId: 'o', clientId: 'c9', machineId: 'm9', clientName: null, active: 1, limit: 1, at: at(seconds).toISOString() },
    })
    const renewed = (seconds: number): OrderEvent => ({
      type: 'SeatLeaseRenewed',
      data: { orderId: 'o', seatId: 's1', ...client, leaseExpiresAt: at(seconds + 180).toISOString(), heartbeatIntervalSeconds: 60, at: at(seconds).toISOString() },
    })
    const day = 24 * 60 * 60
    const ended = orderWith([never], [granted(), expired(2, 10), expired(3, 20)])
    const events = [denied(60), denied(120), denied(day - 200)]
    const later = events.reduce(evolveOrder, ended as OrderState) as ExistingOrder
    // A seat end is kept a day from the end of its lease (180 s before it was recorded); until then, the same record, not a copy.
    expect((evolveOrder(ended, events[0]!) as ExistingOrder).usage.lastEnds).toBe(ended.usage.lastEnds)
    expect(Object.keys(later.usage.lastEnds)).toEqual([JSON.stringify(['c2', 'm2']), JSON.stringify(['c3', 'm3'])])
    const dayAfter = [denied(day - 170), denied(day - 160), denied(day)].reduce(evolveOrder, later as OrderState) as ExistingOrder
    expect(Object.keys(dayAfter.usage.lastEnds)).toEqual([])
    expect(Object.keys((evolveOrder(later, denied(day - 165)) as ExistingOrder).usage.lastEnds)).toEqual([JSON.stringify(['c3', 'm3'])])
    // A renewal, which lives in the seat's own stream, forgets nothing: the order's own events decide what it keeps.
    expect((evolveOrder(later, renewed(day)) as ExistingOrder).usage.lastEnds).toBe(later.usage.lastEnds)
  })
})
