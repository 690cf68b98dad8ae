// What keeps a decision's cost independent of a license's size, as sentences:
// given a license's past, the order's state counts its seats and indexes them
// by client (so a decision neither counts nor searches them), lease times are
// numbers, endings are found among the streams given (not the seats), and a
// reply counts live seats from the order's count while no seat can have died.
import { describe, expect, it } from 'vitest'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { fold } from '../../src/domain/decider.js'
import {
  clientKey,
  deadAt,
  earliestDeath,
  endingsOf,
  evolveOrder,
  heldSeat,
  initialOrderState,
  lapsed,
  leased,
  liveSeats,
  occupied,
  placesTaken,
  seatDeadline,
  seatOf,
  withLiveness,
  withStreams,
  type ExistingOrder,
  type Liveness,
  type OrderEvent,
} from '../../src/domain/order/index.js'
import { NOW, seedTerms } from './fixtures.js'

const orderId = 'order-1'
const ms = (seconds: number): number => NOW.getTime() + seconds * 1000
const at = (seconds: number): Date => new Date(ms(seconds))
const iso = (seconds: number): string => at(seconds).toISOString()
const client = (n: number) => ({ clientId: `client-${n}`, machineId: `machine-${n}` })

const created: OrderEvent = { type: 'OrderCreated', data: { orderId, activationKey: 'SIZE-KEY' as ActivationKey, terms: { ...seedTerms, activations_allowed: 10 }, at: iso(0) } }
const granted = (n: number, seconds = 0, seatId = `seat-${n}`): OrderEvent => ({
  type: 'SeatGranted',
  data: { orderId, seatId, ...client(n), clientName: null, clientAddr: null, leaseExpiresAt: iso(seconds + 180), heartbeatIntervalSeconds: 60, at: iso(seconds) },
})
const released = (n: number, seconds: number): OrderEvent => ({ type: 'SeatReleased', data: { orderId, seatId: `seat-${n}`, ...client(n), at: iso(seconds) } })
const expired = (n: number, seconds: number): OrderEvent => ({ type: 'SeatExpired', data: { orderId, seatId: `seat-${n}`, ...client(n), at: iso(seconds), recordedAt: iso(seconds + 5) } })
const revoked = (n: number, seconds: number): OrderEvent => ({
  type: 'LicenseTokenRevoked',
  data: { orderId, tokenId: `seat-${n}`, kind: 'seat', ...client(n), clientName: null, issuedAt: iso(0), at: iso(seconds) },
})

const given = (...events: readonly OrderEvent[]): ExistingOrder => fold(evolveOrder, initialOrderState)([created, ...events]) as ExistingOrder

/** Seat n's own stream: renewed at `seconds` (a 180 s lease). */
const renewed = (n: number, seconds: number): Liveness => ({ [`seat-${n}`]: { lease: leased(iso(seconds), iso(seconds + 180), 60), ended: null } })
const endedBy = (n: number, reason: 'released' | 'revoked', seconds: number): Liveness => ({ [`seat-${n}`]: { lease: null, ended: { reason, at: iso(seconds) } } })

describe("the order's seat count and per-client index", () => {
  it('given seats granted, then the order counts them and finds each by its client', () => {
    const order = given(granted(1), granted(2), granted(3))
    expect(order.usage.seatCount).toBe(3)
    expect(order.usage.seatsByClient).toEqual({ [clientKey(client(1))]: 'seat-1', [clientKey(client(2))]: 'seat-2', [clientKey(client(3))]: 'seat-3' })
    expect(seatOf(order.usage, client(2))?.seatId).toBe('seat-2')
    expect(seatOf(order.usage, client(4))).toBeUndefined()
    expect(placesTaken(order)).toBe(3)
  })
  it('given seats released, expired and revoked, then they leave the count and the index', () => {
    const order = given(granted(1), granted(2), granted(3), granted(4), released(1, 10), expired(2, 190), revoked(3, 200))
    expect(order.usage.seatCount).toBe(1)
    expect(order.usage.seatsByClient).toEqual({ [clientKey(client(4))]: 'seat-4' })
    expect(seatOf(order.usage, client(1))).toBeUndefined()
  })
  it('given a seat granted again under its id, then it is counted once', () => {
    expect(given(granted(1), granted(1, 30)).usage.seatCount).toBe(1)
  })
  it('given a client granted a second seat, when the first one ends, then the index still finds the second', () => {
    const order = given(granted(1), granted(1, 10, 'seat-1b'), released(1, 20))
    expect(order.usage.seatCount).toBe(1)
    expect(seatOf(order.usage, client(1))?.seatId).toBe('seat-1b')
  })
  it('given the end of a seat the order does not hold, then nothing changes', () => {
    const before = given(granted(1))
    expect(evolveOrder(before, released(2, 10))).toEqual(before)
  })
})

describe('lease times as numbers', () => {
  it('given a lease as written, then its times are kept as epoch milliseconds beside the instants', () => {
    expect(leased(iso(0), iso(180), 60)).toEqual({ renewedAt: iso(0), leaseExpiresAt: iso(180), heartbeatIntervalSeconds: 60, renewedMs: ms(0), expiresMs: ms(180) })
  })
  it('given a granted seat, then it dies at the lease end plus the grace, judged on the numbers', () => {
    const seat = given(granted(1)).usage.seats['seat-1']!
    expect(deadAt(seat)).toBe(ms(190))
    expect(lapsed(seat, at(189))).toBe(false)
    expect(lapsed(seat, at(190))).toBe(true)
  })
})

describe('endings, from the streams given', () => {
  it('given streams of held and unknown seats, then only the held ones they ended are recorded, in the order they ended', () => {
    const order = given(granted(1), granted(2), granted(3))
    const liveness = { ...endedBy(2, 'released', 50), ...endedBy(1, 'revoked', 40), ...renewed(3, 30), ...endedBy(9, 'released', 10) }
    expect(endingsOf(order, at(60), liveness).map((e) => e.type)).toEqual(['LicenseTokenRevoked', 'SeatReleased'])
  })
})

describe('a reply counts live seats without a walk', () => {
  const order = given(granted(1), granted(2), granted(3, 100))
  // Seats 1 and 2 renewed on their streams at 120 s: alive until 310 s; seat 3's grant holds it until 290 s.
  const streams = { ...renewed(1, 120), ...renewed(2, 120) }

  it('given every held seat read, then the earliest death is the first lease end plus grace', () => {
    expect(earliestDeath(order, streams)).toBe(ms(290))
  })
  it('given a seat its stream ended, then it has no death to wait for', () => {
    expect(earliestDeath(order, { ...streams, ...endedBy(3, 'released', 150) })).toBe(ms(310))
    expect(earliestDeath(given(), {})).toBe(Infinity)
  })
  it('given no seat can have died yet, then the reply counts every held seat live and shows the leases read', () => {
    const reply = withStreams(order, renewed(1, 120), ms(290))
    expect(occupied(reply, at(250))).toBe(3)
    expect(seatDeadline(reply.usage, 'seat-1', client(1))).toBe(iso(300))
    expect(heldSeat(reply.usage, 'seat-1')?.leaseExpiresAt).toBe(iso(300))
    expect(liveSeats(reply.usage, at(250)).map((s) => s.seatId)).toEqual(['seat-1', 'seat-2', 'seat-3'])
  })
  it('given that moment passed, then seats read and lapsed are not counted, and seats not read are (over-counted, never under-counted)', () => {
    // At 250 s seat 2's grant (180 s + grace) has lapsed on the order's record, but its stream was not read: counted.
    const reply = withStreams(order, renewed(1, 0), ms(190))
    expect(occupied(reply, at(250))).toBe(2)
    expect(liveSeats(reply.usage, at(250)).map((s) => s.seatId)).toEqual(['seat-2', 'seat-3'])
  })
  it('given every stream read, then the reply counts as the order with every lease merged does', () => {
    const all = { ...streams, ...renewed(3, 100) }
    for (const seconds of [200, 295, 320]) {
      expect(occupied(withStreams(order, all, earliestDeath(order, all)), at(seconds))).toBe(occupied(withLiveness(order, all), at(seconds)))
    }
  })
})
