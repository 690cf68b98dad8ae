// What a seat chart shows beside the counts: given a license's events, when
// the detail of a report is made, then each bucket's peak instant, who held
// the seats then, and the cap in force.
import { describe, expect, it } from 'vitest'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { seatUsageDetail, type OrderEvent, type Period } from '../../src/domain/order/index.js'
import { seedTerms } from './fixtures.js'

const orderId = 'order-1'
const at = (hhmm: string): string => `2026-11-17T${hhmm}:00.000Z`
const holder = (n: number) => ({ seatId: `seat-${n}`, clientId: `client-${n}`, machineId: `machine-${n}`, clientName: `Client ${n}` })

const created = (time: string, allowed: number): OrderEvent => ({
  type: 'OrderCreated',
  data: { orderId, activationKey: 'AK-1' as ActivationKey, terms: { ...seedTerms, activations_allowed: allowed }, at: at(time) },
})
const updated = (time: string, allowed: number): OrderEvent => ({
  type: 'OrderUpdated',
  data: { orderId, terms: { ...seedTerms, activations_allowed: allowed }, at: at(time) },
})
const granted = (seat: number, time: string, leaseUntil: string): OrderEvent => ({
  type: 'SeatGranted',
  data: { orderId, ...holder(seat), clientAddr: null, leaseExpiresAt: at(leaseUntil), heartbeatIntervalSeconds: 60, at: at(time) },
})
const released = (seat: number, time: string): OrderEvent => ({
  type: 'SeatReleased',
  data: { orderId, seatId: `seat-${seat}`, clientId: `client-${seat}`, machineId: `machine-${seat}`, at: at(time) },
})

const hours = (from: string, to: string, now = '23:59'): Period => ({ from: new Date(at(from)), to: new Date(at(to)), bucket: 'hour', now: new Date(at(now)) })

describe('seat usage detail', () => {
  it('given two seats overlapping 14:20 to 14:30, then the peak is first reached at 14:20, held by both', () => {
    const events = [created('13:00', 5), granted(1, '14:10', '15:00'), granted(2, '14:20', '15:00'), released(1, '14:30'), released(2, '14:40')]
    expect(seatUsageDetail(events, hours('14:00', '15:00'))).toEqual([
      { start: at('14:00'), end: at('15:00'), peakAt: at('14:20'), holders: [holder(1), holder(2)], seatsAllowed: 5 },
    ])
  })

  it('given no seat in an hour, then no peak instant and no holders, and the cap is the one in force', () => {
    const events = [created('13:00', 5), granted(1, '14:10', '15:00'), released(1, '14:30')]
    expect(seatUsageDetail(events, hours('15:00', '16:00'))).toEqual([{ start: at('15:00'), end: at('16:00'), peakAt: null, holders: [], seatsAllowed: 5 }])
  })

  it('given a seat held into the next hour, then that hour peaks at its start with the seat still held', () => {
    const events = [created('13:00', 5), granted(1, '14:50', '16:00'), released(1, '15:10')]
    expect(seatUsageDetail(events, hours('15:00', '16:00'))[0]).toMatchObject({ peakAt: at('15:00'), holders: [holder(1)] })
  })

  it('given the cap changed within an hour, then that hour shows the cap after the change, and an hour before the order existed shows none', () => {
    const events = [created('13:30', 5), updated('14:45', 2)]
    expect(seatUsageDetail(events, hours('12:00', '15:00')).map((r) => r.seatsAllowed)).toEqual([null, 5, 2])
  })
})

describe('a seat granted at the instant the report counts up to', () => {
  it('given a seat granted at now, then it is held at that instant: the peak counts it, for no seat time', async () => {
    const { seatUsage } = await import('../../src/domain/order/index.js')
    const events = [created('13:00', 5), granted(1, '14:10', '15:00'), granted(2, '14:20', '15:00')]
    const period = hours('14:00', '15:00', '14:20')
    expect(seatUsage(events, period)[0]).toMatchObject({ peakSeats: 2, seatHours: 0.1667 })
    expect(seatUsageDetail(events, period)[0]).toMatchObject({ peakAt: at('14:20'), holders: [holder(1), holder(2)] })
  })
})
