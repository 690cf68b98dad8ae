// Seat usage reports, computed from a license's events: given these events,
// when a report is made for this period, then these rows.
import { describe, expect, it } from 'vitest'
import { seatUsage, bucketCount, type Period } from '../../src/domain/order/index.js'
import type { OrderEvent } from '../../src/domain/order/index.js'

const orderId = 'order-1'
const at = (hhmm: string): string => `2026-11-17T${hhmm}:00.000Z`
const client = (n: number) => ({ clientId: `client-${n}`, machineId: `machine-${n}`, clientName: null, clientAddr: null })

const granted = (seat: number, time: string, leaseUntil: string): OrderEvent => ({
  type: 'SeatGranted',
  data: { orderId, seatId: `seat-${seat}`, ...client(seat), leaseExpiresAt: at(leaseUntil), heartbeatIntervalSeconds: 60, at: at(time) },
})
const renewed = (seat: number, time: string, leaseUntil: string): OrderEvent => ({
  type: 'SeatLeaseRenewed',
  data: { orderId, seatId: `seat-${seat}`, clientId: `client-${seat}`, machineId: `machine-${seat}`, leaseExpiresAt: at(leaseUntil), heartbeatIntervalSeconds: 60, at: at(time) },
})
const released = (seat: number, time: string): OrderEvent => ({
  type: 'SeatReleased',
  data: { orderId, seatId: `seat-${seat}`, clientId: `client-${seat}`, machineId: `machine-${seat}`, at: at(time) },
})
const expired = (seat: number, leaseEnd: string, noticed: string): OrderEvent => ({
  type: 'SeatExpired',
  data: { orderId, seatId: `seat-${seat}`, clientId: `client-${seat}`, machineId: `machine-${seat}`, at: at(leaseEnd), recordedAt: at(noticed) },
})
const denied = (n: number, time: string): OrderEvent => ({
  type: 'SeatRequestDenied',
  data: { orderId, clientId: `client-${n}`, machineId: `machine-${n}`, clientName: null, active: 2, limit: 2, at: at(time) },
})

const hours = (from: string, to: string, now = '23:59'): Period => ({ from: new Date(at(from)), to: new Date(at(to)), bucket: 'hour', now: new Date(at(now)) })
const row = (start: string, end: string, r: Partial<{ peakSeats: number; seatHours: number; grants: number; releases: number; expiries: number; denials: number }>) => ({
  start: at(start),
  end: at(end),
  peakSeats: 0,
  seatHours: 0,
  grants: 0,
  releases: 0,
  expiries: 0,
  denials: 0,
  ...r,
})

describe('seat usage report', () => {
  it('given one seat held 14:15 to 14:45, then half a seat-hour and a peak of one in that hour', () => {
    expect(seatUsage([granted(1, '14:15', '14:18'), released(1, '14:45')], hours('14:00', '15:00'))).toEqual([
      row('14:00', '15:00', { peakSeats: 1, seatHours: 0.5, grants: 1, releases: 1 }),
    ])
  })

  it('given seats overlapping, then the peak is the most held at once, and a release at the instant of a grant does not overlap it', () => {
    const events = [granted(1, '14:00', '14:03'), granted(2, '14:10', '14:13'), released(1, '14:30'), granted(3, '14:30', '14:33'), released(2, '14:50'), released(3, '14:55')]
    expect(seatUsage(events, hours('14:00', '15:00'))[0]).toMatchObject({ peakSeats: 2, grants: 3, releases: 3 })
  })

  it('given a seat spanning several hours, then each hour counts its share and the seat counts toward each hour’s peak', () => {
    const events = [granted(1, '13:30', '13:33'), renewed(1, '14:00', '16:00'), released(1, '15:15')]
    expect(seatUsage(events, hours('13:00', '16:00'))).toEqual([
      row('13:00', '14:00', { peakSeats: 1, seatHours: 0.5, grants: 1 }),
      row('14:00', '15:00', { peakSeats: 1, seatHours: 1 }),
      row('15:00', '16:00', { peakSeats: 1, seatHours: 0.25, releases: 1 }),
    ])
  })

  it('given a seat that expired, then it was held until its lease ran out, not until the expiry was noticed', () => {
    const events = [granted(1, '14:00', '14:03'), renewed(1, '14:02', '14:20'), expired(1, '14:20', '15:30')]
    expect(seatUsage(events, hours('14:00', '16:00'))).toEqual([
      row('14:00', '15:00', { peakSeats: 1, seatHours: 0.3333, grants: 1, expiries: 1 }),
      row('15:00', '16:00', {}),
    ])
  })

  it('given a lease that ran out but nobody recorded it yet, then the seat ends at its lease end; a live one is held up to now', () => {
    const events = [granted(1, '14:00', '14:30'), granted(2, '14:00', '23:00')]
    expect(seatUsage(events, hours('14:00', '15:00', '14:45'))[0]).toMatchObject({ peakSeats: 2, seatHours: 0.5 + 0.75 })
  })

  it('given denied requests, then they are counted in the hour they came', () => {
    expect(seatUsage([denied(1, '14:05'), denied(2, '14:59'), denied(1, '15:00')], hours('14:00', '16:00')).map((r) => r.denials)).toEqual([2, 1])
  })

  it('given a revoked seat token, then the seat ends there and counts as a release', () => {
    const revoked: OrderEvent = {
      type: 'LicenseTokenRevoked',
      data: { orderId, tokenId: 'seat-1', kind: 'seat', clientId: 'client-1', machineId: 'machine-1', clientName: null, issuedAt: at('14:00'), at: at('14:30') },
    }
    expect(seatUsage([granted(1, '14:00', '23:00'), revoked], hours('14:00', '15:00'))[0]).toMatchObject({ seatHours: 0.5, releases: 1 })
  })

  it('given a period that does not start on the hour, then the first and last rows are clipped to it', () => {
    const rows = seatUsage([granted(1, '14:00', '23:00')], hours('14:30', '15:15', '16:00'))
    expect(rows.map((r) => [r.start, r.end, r.seatHours])).toEqual([
      [at('14:30'), at('15:00'), 0.5],
      [at('15:00'), at('15:15'), 0.25],
    ])
  })

  it('given day buckets, then one row per UTC day', () => {
    const period: Period = { from: new Date('2026-11-16T00:00:00Z'), to: new Date('2026-11-18T00:00:00Z'), bucket: 'day', now: new Date('2026-11-20T00:00:00Z') }
    const rows = seatUsage([granted(1, '06:00', '18:00'), released(1, '18:00')], period)
    expect(rows.map((r) => [r.start, r.seatHours, r.peakSeats])).toEqual([
      ['2026-11-16T00:00:00.000Z', 0, 0],
      ['2026-11-17T00:00:00.000Z', 12, 1],
    ])
    expect(bucketCount(period)).toBe(2)
  })
})
