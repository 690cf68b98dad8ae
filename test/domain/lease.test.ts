// The lease rules a client is told about, as sentences: given the order's
// past, its seat settings, the interval to beat at and a seat's deadline.
import { describe, expect, it } from 'vitest'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { fold } from '../../src/domain/decider.js'
import {
  evolveOrder,
  heartbeatIntervalOf,
  initialOrderState,
  leaseMinimum,
  seatDeadline,
  seatSettingsFor,
  seatSettingsOf,
  type ExistingOrder,
  type OrderEvent,
} from '../../src/domain/order/index.js'
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

  it('given an interval, then the shortest lease is two intervals', () => {
    expect(leaseMinimum(20)).toBe(40)
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
