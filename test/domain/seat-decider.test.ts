// The rules of a seat's own stream, as sentences: given the seat's past
// (its lease, its renewals, its end), when a heartbeat, an expiry, a release
// or a revocation, then these facts. The command carries the order's record
// of the seat, which the stream extends.
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { defaultSeatSettings, leaseTimesOf } from '../../src/domain/order/index.js'
import { fold } from '../../src/domain/decider.js'
import { afterRenewal, recordedLease, renewalOutcome, seatDecider, type RecordedSeat, type SeatCommand, type SeatEvent } from '../../src/domain/seat/index.js'
import { NOW } from './fixtures.js'
import { specify } from './given.js'

const given = specify(seatDecider)
const at = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000)
const iso = (seconds: number): string => at(seconds).toISOString()
const ctx = (seconds: number) => ({ now: at(seconds) })
const holder = { orderId: 'order-1', seatId: 'seat-1', clientId: 'client-1', machineId: 'machine-1' }

/** The order's record: granted at 0 with a 180 s lease, or (older logs) last renewed in the order stream at `renewedAt`. */
const recorded = (renewedAt = 0, leaseSeconds = 180): RecordedSeat => ({ ...holder, renewedAt: iso(renewedAt), leaseExpiresAt: iso(renewedAt + leaseSeconds), heartbeatIntervalSeconds: 60 })

const started: SeatEvent = { type: 'SeatLeaseStarted', data: { ...holder, leaseExpiresAt: iso(180), heartbeatIntervalSeconds: 60, at: iso(0) } }
const renewed = (seconds: number, leaseSeconds = 180, interval = 60): SeatEvent => ({
  type: 'SeatLeaseRenewed',
  data: { ...holder, leaseExpiresAt: iso(seconds + leaseSeconds), heartbeatIntervalSeconds: interval, at: iso(seconds) },
})
const expired = (leaseEnd: number, recordedAt: number): SeatEvent => ({ type: 'SeatLeaseExpired', data: { ...holder, at: iso(leaseEnd), recordedAt: iso(recordedAt) } })
const endedBy = (reason: 'released' | 'revoked', seconds: number): SeatEvent => ({ type: 'SeatLeaseEnded', data: { ...holder, reason, at: iso(seconds) } })

const start = (seat = recorded()): SeatCommand => ({ type: 'StartSeatLease', seat })
const renew = (seat = recorded(), settings = defaultSeatSettings): SeatCommand => ({ type: 'RenewSeatLease', seat, settings })
const expire = (seat = recorded()): SeatCommand => ({ type: 'ExpireSeatLease', seat })
const end = (reason: 'released' | 'revoked', seat = recorded()): SeatCommand => ({ type: 'EndSeatLease', seat, reason })

describe('a seat stream begins', () => {
  it('given nothing, when the granted seat starts, then SeatLeaseStarted with the lease of its grant', () => {
    given().when(start(), ctx(0)).then(E.right([started]))
  })
  it('given a started seat, when it starts again, then nothing', () => {
    given(started).when(start(), ctx(1)).then(E.right([]))
  })
  it('given a seat expired before its stream started (its start was late), when it starts, then nothing: no resurrection', () => {
    given(expired(180, 200)).when(start(), ctx(201)).then(E.right([]))
  })
})

describe('heartbeats on a seat stream', () => {
  it('given a seat renewed less than half an interval ago, when it heartbeats, then nothing is written', () => {
    given(started).when(renew(), ctx(29)).then(E.right([]))
  })
  it('given a seat granted half an interval ago, when it heartbeats, then the lease is renewed from now', () => {
    given(started).when(renew(), ctx(30)).then(E.right([renewed(30)]))
  })
  it('given a renewed lease, when the next heartbeat comes an interval later, then it is renewed again: every heartbeat at the interval renews', () => {
    given(started, renewed(120)).when(renew(), ctx(180)).then(E.right([renewed(180)]))
  })
  it('given the order settings changed, when a lease is renewed, then the new lease and interval apply', () => {
    given(started).when(renew(recorded(), { heartbeatIntervalSeconds: 30, leaseSeconds: 90 }), ctx(120)).then(E.right([renewed(120, 90, 30)]))
  })
  it('given a seat whose lease ran out less than its grace (a sixth of an interval) ago, when it heartbeats, then the lease is renewed from now', () => {
    given(started, renewed(120)).when(renew(), ctx(309)).then(E.right([renewed(309)]))
  })
  it('given a seat whose lease and grace ran out, when it heartbeats, then its expiry is written at the lease end, not a renewal', () => {
    given(started, renewed(120)).when(renew(), ctx(311)).then(E.right([expired(300, 311)]))
  })
  it('given a seat whose lease and grace end exactly now, then it is dead', () => {
    given(started).when(renew(), ctx(190)).then(E.right([expired(180, 190)]))
  })
  it('given an expired seat, when it heartbeats, then nothing: an ended seat is never renewed', () => {
    given(started, expired(180, 200)).when(renew(), ctx(210)).then(E.right([]))
  })
  it('given a released seat, when its token heartbeats, then nothing', () => {
    given(started, endedBy('released', 30)).when(renew(), ctx(120)).then(E.right([]))
  })
  it('given a stream whose start was lost, when it heartbeats half an interval after the grant, then it renews from the order record', () => {
    given().when(renew(), ctx(120)).then(E.right([renewed(120)]))
  })
  it('given a seat an older engine renewed in the order stream, then the order record carries that lease', () => {
    given().when(renew(recorded(120)), ctx(140)).then(E.right([]))
    given().when(renew(recorded(120)), ctx(150)).then(E.right([renewed(150)]))
  })
})

describe('expiry on a seat stream', () => {
  it('given a live lease, when asked to expire, then nothing: a renewal that got there first wins', () => {
    given(started, renewed(120)).when(expire(), ctx(200)).then(E.right([]))
  })
  it('given a lease within its grace, when asked to expire, then nothing yet', () => {
    given(started, renewed(120)).when(expire(), ctx(305)).then(E.right([]))
  })
  it('given a lapsed lease, when asked to expire, then SeatLeaseExpired at the lease end', () => {
    given(started, renewed(120)).when(expire(), ctx(400)).then(E.right([expired(300, 400)]))
  })
  it('given an empty stream and a lapsed order record (a log from before seat streams), then expired at the record lease end', () => {
    given().when(expire(recorded(120)), ctx(400)).then(E.right([expired(300, 400)]))
  })
  it('given an expired seat, when asked again, then nothing twice', () => {
    given(started, expired(180, 200)).when(expire(), ctx(400)).then(E.right([]))
  })
})

describe('release and revocation on a seat stream', () => {
  it('given a live seat, when released, then SeatLeaseEnded released now', () => {
    given(started).when(end('released'), ctx(30)).then(E.right([endedBy('released', 30)]))
  })
  it('given a lapsed seat, when released, then its expiry instead: it was dead before it was given back', () => {
    given(started).when(end('released'), ctx(500)).then(E.right([expired(180, 500)]))
  })
  it('given a lapsed seat, when revoked, then revoked all the same', () => {
    given(started).when(end('revoked'), ctx(500)).then(E.right([endedBy('revoked', 500)]))
  })
  it('given a released seat, when released again, then nothing', () => {
    given(started, endedBy('released', 30)).when(end('released'), ctx(31)).then(E.right([]))
  })
  it('given an ended seat, then its state says how and when it ended', () => {
    expect(given(started, renewed(120)).when(end('revoked'), ctx(150)).state()).toEqual({
      lease: { renewedMs: at(120).getTime(), expiresMs: at(300).getTime(), heartbeatIntervalSeconds: 60 },
      ended: { reason: 'revoked', at: iso(150) },
    })
  })
})

/** A lease in numbers: renewed at `renewed` s, running `leaseSeconds`, beaten every `interval` s. */
const lease = (renewed: number, leaseSeconds = 180, interval = 60) => ({ renewedMs: at(renewed).getTime(), expiresMs: at(renewed + leaseSeconds).getTime(), heartbeatIntervalSeconds: interval })
const ms = (seconds: number): number => at(seconds).getTime()

describe('a heartbeat decided on numbers (renewalOutcome), as a replay that keeps no events decides it', () => {
  it('given a lease renewed less than half an interval ago, when a heartbeat comes, then none', () => {
    expect(renewalOutcome(lease(0), ms(29))).toBe('none')
  })
  it('given a lease renewed half an interval ago, when a heartbeat comes, then renew', () => {
    expect(renewalOutcome(lease(0), ms(30))).toBe('renew')
  })
  it('given a lease that ran out less than its grace ago, when a heartbeat comes, then renew', () => {
    expect(renewalOutcome(lease(0), ms(189))).toBe('renew')
  })
  it('given a lease whose grace ran out at that very moment, when a heartbeat comes, then expire', () => {
    expect(renewalOutcome(lease(0), ms(190))).toBe('expire')
  })
  it('given a renewal, then the state holds a full lease from now under the settings, in numbers', () => {
    const state = fold(seatDecider.evolve, seatDecider.initialState)([started])
    expect(afterRenewal(state, 'renew', lease(0), { heartbeatIntervalSeconds: 30, leaseSeconds: 90 }, ms(120))).toEqual({ lease: lease(120, 90, 30), ended: null })
  })
  it('given an expiry, then the state is ended, expired at the moment its lease ran out', () => {
    const state = fold(seatDecider.evolve, seatDecider.initialState)([started])
    expect(afterRenewal(state, 'expire', lease(0), defaultSeatSettings, ms(500))).toEqual({ lease: lease(0), ended: { reason: 'expired', at: iso(180) } })
  })
  it('given any past and any moment, when a heartbeat is decided on numbers, then the state is what folding RenewSeatLease\'s events gives', () => {
    const pasts: readonly (readonly SeatEvent[])[] = [[], [started], [started, renewed(120)], [started, renewed(120, 90, 30)]]
    const records = [recorded(), recorded(60), recorded(240)]
    for (const past of pasts) {
      for (const seat of records) {
        for (let seconds = 0; seconds <= 600; seconds += 7) {
          const state = fold(seatDecider.evolve, seatDecider.initialState)(past)
          const decided = seatDecider.decide(renew(seat), state, ctx(seconds))
          const folded = E.isRight(decided) ? decided.right.reduce(seatDecider.evolve, state) : state
          const current = leaseTimesOf(recordedLease(seat), state)
          expect(afterRenewal(state, renewalOutcome(current, ms(seconds)), current, defaultSeatSettings, ms(seconds))).toEqual(folded)
        }
      }
    }
  })
})
