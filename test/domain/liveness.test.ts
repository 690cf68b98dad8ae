// A seat as its own stream leaves it (withLiveness), as sentences: the same
// seat record under the same stream state is the very same seat on every
// reply (so what a reply makes of it, seed 002's encoded entry, can be kept
// by it), a renewal or an end is a new one, and an order no stream changes is
// the order itself.
import { describe, expect, it } from 'vitest'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { fold } from '../../src/domain/decider.js'
import { evolveOrder, initialOrderState, leased, seatWithLiveness, withLiveness, type ExistingOrder, type OrderEvent, type SeatLiveness } from '../../src/domain/order/index.js'
import { NOW, seedTerms } from './fixtures.js'

const orderId = 'order-1'
const iso = (seconds: number): string => new Date(NOW.getTime() + seconds * 1000).toISOString()
const created: OrderEvent = { type: 'OrderCreated', data: { orderId, activationKey: 'LIVE-KEY' as ActivationKey, terms: { ...seedTerms, activations_allowed: 10 }, at: iso(0) } }
const granted = (n: number, seconds = 0): OrderEvent => ({
  type: 'SeatGranted',
  data: { orderId, seatId: `seat-${n}`, clientId: `client-${n}`, machineId: `machine-${n}`, clientName: null, clientAddr: null, leaseExpiresAt: iso(seconds + 180), heartbeatIntervalSeconds: 60, at: iso(seconds) },
})
const given = (...events: readonly OrderEvent[]): ExistingOrder => fold(evolveOrder, initialOrderState)([created, ...events]) as ExistingOrder

/** A seat stream's state, as folding its events leaves it: a new object for each event. */
const started = (seconds: number): SeatLiveness => ({ lease: leased(iso(seconds), iso(seconds + 180), 60), ended: null })
const endedAt = (seconds: number): SeatLiveness => ({ lease: started(0).lease, ended: { reason: 'released', at: iso(seconds) } })

describe('a seat as its stream leaves it', () => {
  it('given a stream that says what the order recorded, then the seat is the order’s own record', () => {
    const order = given(granted(1))
    const seat = order.usage.seats['seat-1']!
    expect(seatWithLiveness(seat, started(0))).toBe(seat)
    expect(seatWithLiveness(seat, undefined)).toBe(seat)
  })
  it('given a renewal in the stream, then the seat carries its lease, and is the very same seat while the stream and the record are', () => {
    const seat = given(granted(1)).usage.seats['seat-1']!
    const renewal = started(40)
    const renewed = seatWithLiveness(seat, renewal)
    expect(renewed).toEqual({ ...seat, renewedAt: iso(40), leaseExpiresAt: iso(220), renewedMs: Date.parse(iso(40)), expiresMs: Date.parse(iso(220)) })
    expect(seatWithLiveness(seat, renewal)).toBe(renewed)
    // Another renewal is another state: another seat.
    const again = seatWithLiveness(seat, started(80))
    expect(again).not.toBe(renewed)
    expect(again.leaseExpiresAt).toBe(iso(260))
    // The same state under another record of the seat (granted again): the record's own lease is judged anew.
    const regranted = given(granted(1, 100)).usage.seats['seat-1']!
    expect(seatWithLiveness(regranted, renewal)).toBe(regranted)
  })
  it('given an end in the stream, then the seat’s lease ends when it did', () => {
    const seat = given(granted(1)).usage.seats['seat-1']!
    expect(seatWithLiveness(seat, endedAt(30)).leaseExpiresAt).toBe(iso(30))
  })
})

describe('an order with its seats as their streams leave them', () => {
  it('given streams that change no seat, then it is the order itself', () => {
    const order = given(granted(1), granted(2))
    expect(withLiveness(order, { 'seat-1': started(0), 'seat-2': started(0) })).toBe(order)
    expect(withLiveness(order, {})).toBe(order)
  })
  it('given a renewal in one stream, then only that seat is new, in its place, and the same streams give the same seats again', () => {
    const order = given(granted(1), granted(2), granted(3))
    const streams = { 'seat-1': started(0), 'seat-2': started(40), 'seat-3': started(0) }
    const live = withLiveness(order, streams)
    expect(Object.keys(live.usage.seats)).toEqual(['seat-1', 'seat-2', 'seat-3'])
    expect(live.usage.seats['seat-1']).toBe(order.usage.seats['seat-1'])
    expect(live.usage.seats['seat-2']!.leaseExpiresAt).toBe(iso(220))
    expect(live).toEqual({ ...order, usage: { ...order.usage, seats: { ...order.usage.seats, 'seat-2': live.usage.seats['seat-2'] } } })
    expect(withLiveness(order, streams).usage.seats['seat-2']).toBe(live.usage.seats['seat-2'])
  })
})
