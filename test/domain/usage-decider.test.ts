// The rules of a license's use, as sentences: given the order's past, when a
// machine activates or a client asks for a seat, then these facts (or this error).
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import {
  activationRefusal,
  leased,
  noActivationDetails,
  orderCounters,
  usageDecider,
  type ExistingOrder,
  type Liveness,
  type OrderEvent,
  type SeatEndReason,
  type OrderTerms,
  type UsageCommand,
  type UsageContext,
} from '../../src/domain/order/index.js'
import { NOW, seedTerms } from './fixtures.js'
import { specify } from './given.js'

const given = specify(usageDecider)
const orderId = 'order-1'
const KEY = 'II1HP-TX8EQ-R1QXZ-7LYXF-AAAAA' as ActivationKey

const at = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000)
const iso = (seconds: number): string => at(seconds).toISOString()
const ctx = (seconds: number, newId = 'new-id', liveness?: Liveness): UsageContext => ({ now: at(seconds), newId, ...(liveness === undefined ? {} : { liveness }) })
/** What seat n's own stream says: it ended (expired at its lease end, released or revoked at `seconds`). */
const ended = (n: number, reason: SeatEndReason, seconds: number): Liveness => ({ [`seat-${n}`]: { lease: null, ended: { reason, at: iso(seconds) } } })
/** What seat n's own stream says: renewed at `seconds`. */
const renewedOwn = (n: number, seconds: number, leaseSeconds = 180): Liveness => ({
  [`seat-${n}`]: { lease: leased(iso(seconds), iso(seconds + leaseSeconds), 60), ended: null },
})

const terms = (change: Partial<OrderTerms> = {}): OrderTerms => ({ ...seedTerms, ...change })
const created = (change: Partial<OrderTerms> = {}): OrderEvent => ({
  type: 'OrderCreated',
  data: { orderId, activationKey: KEY, terms: terms(change), at: NOW.toISOString() },
})
const updated = (change: Partial<OrderTerms>, seconds: number): OrderEvent => ({
  type: 'OrderUpdated',
  data: { orderId, terms: terms(change), at: iso(seconds) },
})

const client = (n: number) => ({ clientId: `client-${n}`, machineId: `machine-${n}` })

const activated = (n: number, seconds = 0, activationId = `act-${n}`): OrderEvent => ({
  type: 'MachineActivated',
  data: { orderId, activationId, ...client(n), clientName: `Client ${n}`, clientAddr: '127.0.0.1', details: noActivationDetails, at: iso(seconds) },
})
const deactivated = (n: number, seconds: number, activationId = `act-${n}`): OrderEvent => ({
  type: 'MachineDeactivated',
  data: { orderId, activationId, ...client(n), at: iso(seconds) },
})
const granted = (n: number, seconds = 0, seatId = `seat-${n}`, leaseSeconds = 180): OrderEvent => ({
  type: 'SeatGranted',
  data: {
    orderId,
    seatId,
    ...client(n),
    clientName: `Client ${n}`,
    clientAddr: '127.0.0.1',
    leaseExpiresAt: iso(seconds + leaseSeconds),
    heartbeatIntervalSeconds: 60,
    at: iso(seconds),
  },
})
const renewed = (n: number, seconds: number, leaseSeconds = 180, interval = 60): OrderEvent => ({
  type: 'SeatLeaseRenewed',
  data: { orderId, seatId: `seat-${n}`, ...client(n), leaseExpiresAt: iso(seconds + leaseSeconds), heartbeatIntervalSeconds: interval, at: iso(seconds) },
})
const expired = (n: number, leaseEnd: number, recorded: number): OrderEvent => ({
  type: 'SeatExpired',
  data: { orderId, seatId: `seat-${n}`, ...client(n), at: iso(leaseEnd), recordedAt: iso(recorded) },
})
const released = (n: number, seconds: number): OrderEvent => ({
  type: 'SeatReleased',
  data: { orderId, seatId: `seat-${n}`, ...client(n), at: iso(seconds) },
})
const denied = (n: number, seconds: number, active: number, limit: number, denialId = 'new-id', decidedOnRevision: number | null = null): OrderEvent => ({
  type: 'SeatRequestDenied',
  data: { orderId, ...client(n), clientName: `Client ${n}`, active, limit, at: iso(seconds), denialId, rule: 'activations_allowed', decidedOnRevision },
})

const activationDenied = (n: number, seconds: number, active: number, limit: number, denialId = 'new-id', decidedOnRevision: number | null = null): OrderEvent => ({
  type: 'ActivationDenied',
  data: { orderId, denialId, ...client(n), clientName: `Client ${n}`, rule: 'activations_allowed', active, limit, decidedOnRevision, at: iso(seconds) },
})

const activate = (n: number): UsageCommand => ({
  type: 'ActivateMachine',
  orderId,
  ...client(n),
  clientName: `Client ${n}`,
  clientAddr: '127.0.0.1',
  details: noActivationDetails,
})
const request = (n: number): UsageCommand => ({ type: 'RequestSeat', orderId, ...client(n), clientName: `Client ${n}`, clientAddr: '127.0.0.1' })
const heartbeat = (n: number, who: { clientId: string | null; machineId: string | null } = client(n)): UsageCommand => ({
  type: 'HeartbeatSeat',
  orderId,
  seatId: `seat-${n}`,
  ...who,
})
const release = (n: number, who: { clientId: string | null; machineId: string | null } = client(n)): UsageCommand => ({
  type: 'ReleaseSeat',
  orderId,
  seatId: `seat-${n}`,
  ...who,
})

describe('node-locked activations', () => {
  it('given an order, when a machine activates, then MachineActivated with the id the context gives', () => {
    given(created()).when(activate(1), ctx(0, 'act-1')).then(E.right([activated(1)]))
  })
  it('given the same client and machine activated, when it activates again, then nothing new: the same activation', () => {
    given(created(), activated(1)).when(activate(1), ctx(30, 'another-id')).then(E.right([]))
  })
  it('given as many activations as allowed, when another machine activates, then ActivationDenied by activations_allowed, on the revision decided on', () => {
    given(created({ activations_allowed: 2 }), activated(1), activated(2))
      .when(activate(3), { ...ctx(10, 'denial-1'), revision: 2 })
      .then(E.right([activationDenied(3, 10, 2, 2, 'denial-1', 2)]))
  })
  it('given a machine denied activation within the last minute, when it asks again, then nothing new is recorded (its answer names that denial)', () => {
    given(created({ activations_allowed: 1 }), activated(1), activationDenied(3, 10, 1, 1, 'denial-1'))
      .when(activate(3), ctx(69, 'denial-2'))
      .then(E.right([]))
  })
  it('given a machine denied activation over a minute ago, when it asks again, then a new denial is recorded', () => {
    given(created({ activations_allowed: 1 }), activated(1), activationDenied(3, 10, 1, 1, 'denial-1'))
      .when(activate(3), ctx(70, 'denial-2'))
      .then(E.right([activationDenied(3, 70, 1, 1, 'denial-2')]))
  })
  it('given another machine denied activation just now, when this one asks, then its own denial is recorded: the window is per client', () => {
    given(created({ activations_allowed: 1 }), activated(1), activationDenied(3, 10, 1, 1, 'denial-1'))
      .when(activate(4), ctx(20, 'denial-2'))
      .then(E.right([activationDenied(4, 20, 1, 1, 'denial-2')]))
  })
  it('given a seat request denied to the machine just now, when it activates, then the activation denial is recorded all the same: they are two questions', () => {
    given(created({ activations_allowed: 1 }), activated(1), denied(3, 10, 1, 1, 'denial-1'))
      .when(activate(3), ctx(20, 'denial-2'))
      .then(E.right([activationDenied(3, 20, 1, 1, 'denial-2')]))
  })
  it('given a denied machine that activated once a place was free, when the state is folded, then the denial is forgotten for it', () => {
    const order = given(created({ activations_allowed: 1 }), activated(1), activationDenied(3, 10, 1, 1, 'denial-1'), deactivated(1, 20))
      .when(activate(3), ctx(30, 'act-3'))
      .state()
    expect(order.exists && order.usage.recentActivationDenials).toEqual({})
  })
  it('given a denial recorded, when the refusal is answered, then it names that denial and the limit', () => {
    const order = given(created({ activations_allowed: 1 }), activated(1))
      .when(activate(3), ctx(10, 'denial-1'))
      .state() as ExistingOrder
    expect(activationRefusal(order, client(3))).toEqual({ _tag: 'ActivationLimitReached', orderId, limit: 1, denialId: 'denial-1' })
    expect(activationRefusal(order, client(4))).toEqual({ _tag: 'ActivationLimitReached', orderId, limit: 1 })
  })
  it('given live seats, when a machine activates, then seats and activations share activations_allowed', () => {
    given(created({ activations_allowed: 2 }), activated(1), granted(2))
      .when(activate(3), ctx(10))
      .then(E.right([activationDenied(3, 10, 2, 2)]))
  })
  it("given a seat whose stream expired it, when a machine activates, then the expiry is written first and the place is free", () => {
    given(created({ activations_allowed: 1 }), granted(2))
      .when(activate(3), ctx(200, 'act-3', ended(2, 'expired', 180)))
      .then(E.right([expired(2, 180, 200), activated(3, 200)]))
  })
  it("given a seat whose lease ran out but whose stream has not ended it, when a machine activates, then the seat still counts: over-counted, never under-counted", () => {
    given(created({ activations_allowed: 1 }), granted(2))
      .when(activate(3), ctx(200, 'denial-1'))
      .then(E.right([activationDenied(3, 200, 1, 1, 'denial-1')]))
  })
  it('given a disabled order, when a machine activates, then OrderDisabled', () => {
    given(created({ enabled: false })).when(activate(1), ctx(0)).then(E.left({ _tag: 'OrderDisabled', orderId }))
  })
  it('given a license whose fixed expiration date has passed, when a machine activates, then LicenseExpired at the end of that day', () => {
    const [feature] = seedTerms.Features
    const fixed = { ...feature!, expiration_type: 'fixed' as const, expiration_date: '2026-11-21', days_from_activation: null }
    given(created({ Features: [fixed] }))
      .when(activate(1), ctx(0))
      .then(E.left({ _tag: 'LicenseExpired', orderId, expiredAt: '2026-11-22T00:00:00.000Z' }))
  })
  it('given days_from_activation, when the days since the first activation have run out, then LicenseExpired', () => {
    // Seed 001's example: 90 days from activation. The first use was at NOW.
    const ninetyDays = 90 * 24 * 3600
    given(created(), activated(1)).when(activate(2), ctx(ninetyDays - 1, 'act-2')).then(E.right([activated(2, ninetyDays - 1)]))
    given(created(), activated(1))
      .when(activate(2), ctx(ninetyDays))
      .then(E.left({ _tag: 'LicenseExpired', orderId, expiredAt: iso(ninetyDays) }))
  })
  it('given no order, when a machine activates, then OrderNotFound', () => {
    given().when(activate(1), ctx(0)).then(E.left({ _tag: 'OrderNotFound', orderId }))
  })
})

describe('deactivation', () => {
  it('given an activation, when deactivated, then MachineDeactivated and one deactivation fewer is left', () => {
    const outcome = given(created(), activated(1)).when({ type: 'DeactivateMachine', orderId, activation: client(1) }, ctx(60))
    outcome.then(E.right([deactivated(1, 60)]))
    expect(orderCounters(outcome.state() as ExistingOrder)).toEqual({ activatedLicenses: 0, deactivationsLeft: 9 })
  })
  it('given an activation, when deactivated by its id (seed 003), then MachineDeactivated', () => {
    given(created(), activated(1))
      .when({ type: 'DeactivateMachine', orderId, activation: { activationId: 'act-1' } }, ctx(60))
      .then(E.right([deactivated(1, 60)]))
  })
  it('given the deactivations allowed all used, when another is asked, then DeactivationLimitReached', () => {
    given(created({ deactivations_allowed: 1 }), activated(1), deactivated(1, 10), activated(1, 20, 'act-1b'))
      .when({ type: 'DeactivateMachine', orderId, activation: client(1) }, ctx(30))
      .then(E.left({ _tag: 'DeactivationLimitReached', orderId, allowed: 1 }))
  })
  it('given deactivations_allowed null, when deactivating again and again, then it is never refused', () => {
    const past: OrderEvent[] = [created({ deactivations_allowed: null })]
    for (let i = 0; i < 20; i += 1) past.push(activated(1, i * 2, `act-${i}`), deactivated(1, i * 2 + 1, `act-${i}`))
    const outcome = given(...past, activated(1, 100, 'last')).when({ type: 'DeactivateMachine', orderId, activation: client(1) }, ctx(101))
    outcome.then(E.right([deactivated(1, 101, 'last')]))
    expect(orderCounters(outcome.state() as ExistingOrder).deactivationsLeft).toBeNull()
  })
  it('given a machine never activated, when deactivated, then ActivationNotFound', () => {
    given(created(), activated(1))
      .when({ type: 'DeactivateMachine', orderId, activation: client(2) }, ctx(10))
      .then(E.left({ _tag: 'ActivationNotFound', orderId }))
  })
  it('given activations, then seed 001 counts them as activated licenses', () => {
    const state = given(created(), activated(1), activated(2), granted(3)).when(activate(4), ctx(5, 'act-4')).state() as ExistingOrder
    expect(orderCounters(state)).toEqual({ activatedLicenses: 3, deactivationsLeft: 10 })
  })
})

describe('floating seats', () => {
  it('given a free seat, when a client asks, then SeatGranted with a lease of three default intervals', () => {
    given(created()).when(request(1), ctx(0, 'seat-1')).then(E.right([granted(1)]))
  })
  it('given the client holds a seat, when it asks again within half an interval, then no second grant and no renewal', () => {
    given(created(), granted(1)).when(request(1), ctx(29, 'seat-x')).then(E.right([]))
  })
  it("given the client holds a seat past half its lease, when it asks again, then nothing on the order: its lease is renewed on the seat's own stream", () => {
    given(created(), granted(1)).when(request(1), ctx(100, 'seat-x')).then(E.right([]))
  })
  it('given every seat taken, when another client asks, then the denial is recorded with the count and the limit', () => {
    given(created({ activations_allowed: 2 }), granted(1), granted(2)).when(request(3), ctx(10)).then(E.right([denied(3, 10, 2, 2)]))
  })
  it('given every seat taken, when a client is denied on the stream at revision 2, then the denial names its id, the rule and that revision', () => {
    given(created({ activations_allowed: 2 }), granted(1), granted(2))
      .when(request(3), { ...ctx(10, 'denial-1'), revision: 2 })
      .then(E.right([denied(3, 10, 2, 2, 'denial-1', 2)]))
  })
  it('given a denial recorded for the client less than a minute ago, when it asks again, then nothing is recorded', () => {
    given(created({ activations_allowed: 1 }), granted(1), denied(2, 10, 1, 1)).when(request(2), ctx(69)).then(E.right([]))
  })
  it('given a denial recorded a minute ago, when the client asks again, then the new denial is recorded', () => {
    given(created({ activations_allowed: 1 }), granted(1, 30), denied(2, 10, 1, 1)).when(request(2), ctx(70)).then(E.right([denied(2, 70, 1, 1)]))
  })
  it("given a denial and then, past the denial window, a renewal from a seat's own stream, then the order remembers what it remembered without the renewal", () => {
    // The read model folds the seats' renewals into the order; a decision on the order does not see them.
    // So a renewal must forget nothing, or the two would hold different states of one order.
    const fold = (events: readonly OrderEvent[]) => events.reduce(usageDecider.evolve, usageDecider.initialState)
    const past = [created({ activations_allowed: 1 }), granted(1), denied(2, 10, 1, 1)]
    const withRenewal = fold([...past, renewed(1, 100)])
    const without = fold(past)
    expect(withRenewal.exists && withRenewal.usage.recentDenials).toEqual(without.exists && without.usage.recentDenials)
    expect(without.exists && Object.keys(without.usage.recentDenials)).toEqual(['["client-2","machine-2"]'])
  })
  it('given a denial for one client, when another client is denied, then that one is recorded: the limit is per client', () => {
    given(created({ activations_allowed: 1 }), granted(1), denied(2, 10, 1, 1)).when(request(3), ctx(11)).then(E.right([denied(3, 11, 1, 1)]))
  })
  it('given a seat whose client stopped heartbeating, when another client asks past the lease and its grace, then the expiry is written at the lease end and the seat is granted', () => {
    given(created({ activations_allowed: 1 }), granted(1))
      .when(request(2), ctx(181, 'seat-2', ended(1, 'expired', 180)))
      .then(E.right([expired(1, 180, 181), granted(2, 181)]))
  })
  it("given a seat renewed on its own stream, when another client asks after the grant's lease, then the seat is still held", () => {
    given(created({ activations_allowed: 1 }), granted(1)).when(request(2), ctx(250, 'seat-2', renewedOwn(1, 120))).then(E.right([denied(2, 250, 1, 1, 'seat-2')]))
  })
  it('given the client own seat expired on its stream, when it asks again, then the old seat expires and it gets a new one', () => {
    given(created(), granted(1)).when(request(1), ctx(300, 'seat-1b', ended(1, 'expired', 180))).then(E.right([expired(1, 180, 300), granted(1, 300, 'seat-1b')]))
  })
  it("given a seat whose stream ended it and the order did not learn it (a crash between the two appends), when any client asks, then the order records that end first", () => {
    given(created({ activations_allowed: 1 }), granted(1)).when(request(2), ctx(40, 'seat-2', ended(1, 'released', 30))).then(E.right([released(1, 30), granted(2, 40)]))
  })
  it('given node-locked activations fill the license, when a client asks, then no seat is free', () => {
    given(created({ activations_allowed: 1 }), activated(1)).when(request(2), ctx(5)).then(E.right([denied(2, 5, 1, 1)]))
  })
  it('given activations_allowed lowered below the seats held, when a client asks, then it is denied until enough seats go', () => {
    given(created({ activations_allowed: 3 }), granted(1), granted(2), updated({ activations_allowed: 1 }, 5))
      .when(request(3), ctx(10))
      .then(E.right([denied(3, 10, 2, 1)]))
  })
  it('given a disabled order, when a client asks, then OrderDisabled', () => {
    given(created({ enabled: false })).when(request(1), ctx(0)).then(E.left({ _tag: 'OrderDisabled', orderId }))
  })
  it('given an order disabled after the grant, when the client asks again, then OrderDisabled', () => {
    given(created(), granted(1), updated({ enabled: false }, 5)).when(request(1), ctx(10)).then(E.left({ _tag: 'OrderDisabled', orderId }))
  })
  it('given days_from_activation counted from the first grant, when they have run out, then LicenseExpired', () => {
    const ninetyDays = 90 * 24 * 3600
    given(created(), granted(1)).when(request(2), ctx(ninetyDays)).then(E.left({ _tag: 'LicenseExpired', orderId, expiredAt: iso(ninetyDays) }))
  })
  it('given per-order seat settings, when a seat is granted, then its lease and interval follow them', () => {
    const settings: OrderEvent = { type: 'SeatSettingsChanged', data: { orderId, heartbeatIntervalSeconds: 10, leaseSeconds: 25, at: iso(0) } }
    const outcome = given(created(), settings).when(request(1), ctx(1, 'seat-1'))
    outcome.then(
      E.right([
        {
          type: 'SeatGranted',
          data: { ...(granted(1, 1).data as object), leaseExpiresAt: iso(26), heartbeatIntervalSeconds: 10 },
        } as OrderEvent,
      ]),
    )
  })
})

describe('heartbeats', () => {
  it('given a seat granted less than half an interval ago, when it heartbeats, then nothing is written', () => {
    given(created(), granted(1)).when(heartbeat(1), ctx(29.999)).then(E.right([]))
  })
  it("given a seat past half its lease, when it heartbeats, then nothing on the order: the renewal is the seat stream's (seat-decider.test.ts)", () => {
    given(created(), granted(1)).when(heartbeat(1), ctx(120)).then(E.right([]))
  })
  it('given a seat whose stream expired it, when it heartbeats, then the order records its expiry at the lease end', () => {
    given(created(), granted(1)).when(heartbeat(1), ctx(181, 'x', ended(1, 'expired', 180))).then(E.right([expired(1, 180, 181)]))
  })
  it('given a released seat, when its token heartbeats, then nothing is written (the seat is dead)', () => {
    given(created(), granted(1), released(1, 10)).when(heartbeat(1), ctx(20)).then(E.right([]))
  })
  it('given a revoked token, when it heartbeats, then TokenRevoked', () => {
    const revoked: OrderEvent = {
      type: 'LicenseTokenRevoked',
      data: { orderId, tokenId: 'seat-1', kind: 'seat', ...client(1), clientName: 'Client 1', issuedAt: iso(0), at: iso(5) },
    }
    given(created(), granted(1), revoked).when(heartbeat(1), ctx(10)).then(E.left({ _tag: 'TokenRevoked', orderId, tokenId: 'seat-1', revokedAt: iso(5) }))
  })
  it('given a seat, when another machine heartbeats with its token, then ClientMismatch', () => {
    given(created(), granted(1))
      .when(heartbeat(1, { clientId: 'client-1', machineId: 'machine-9' }), ctx(10))
      .then(E.left({ _tag: 'ClientMismatch', orderId, tokenId: 'seat-1' }))
  })
  it('given a seat, when the token heartbeats without naming client and machine, then it is accepted', () => {
    given(created(), granted(1)).when(heartbeat(1, { clientId: null, machineId: null }), ctx(120)).then(E.right([]))
  })
  it('given an order disabled while a seat is held, when it heartbeats, then OrderDisabled and the lease is not renewed', () => {
    given(created(), granted(1), updated({ enabled: false }, 5)).when(heartbeat(1), ctx(120)).then(E.left({ _tag: 'OrderDisabled', orderId }))
  })
})

describe('release', () => {
  it("given a held seat its stream ended as released, when released, then SeatReleased with its client and machine", () => {
    given(created(), granted(1)).when(release(1), ctx(30, 'x', ended(1, 'released', 30))).then(E.right([released(1, 30)]))
  })
  it("given a held seat its stream did not end, when released, then nothing: the order frees a place only once the seat's stream ended it", () => {
    given(created(), granted(1)).when(release(1), ctx(30)).then(E.right([]))
  })
  it('given a released seat, when released again, then nothing happens', () => {
    given(created(), granted(1), released(1, 30)).when(release(1), ctx(31)).then(E.right([]))
  })
  it('given a lapsed seat its stream expired, when released, then its expiry is written instead', () => {
    given(created(), granted(1)).when(release(1), ctx(500, 'x', ended(1, 'expired', 180))).then(E.right([expired(1, 180, 500)]))
  })
  it('given a seat, when another client releases it with its token, then ClientMismatch', () => {
    given(created(), granted(1)).when(release(1, { clientId: 'client-2', machineId: null }), ctx(30)).then(E.left({ _tag: 'ClientMismatch', orderId, tokenId: 'seat-1' }))
  })
  it('given a disabled order, when a seat is released, then it is released all the same', () => {
    given(created(), granted(1), updated({ enabled: false }, 5)).when(release(1), ctx(30, 'x', ended(1, 'released', 30))).then(E.right([released(1, 30)]))
  })
  it('given a released seat, when another client asks, then the place is free again', () => {
    given(created({ activations_allowed: 1 }), granted(1), released(1, 30)).when(request(2), ctx(31, 'seat-2')).then(E.right([granted(2, 31)]))
  })
})

describe('the sweeper', () => {
  it('given lapsed and live seats, when swept, then each lapsed seat expires at its own lease end, oldest first', () => {
    given(created(), granted(2, 10), granted(1, 0), granted(3, 100))
      .when({ type: 'ExpireLapsedSeats', orderId }, ctx(250, 'x', { ...ended(2, 'expired', 190), ...ended(1, 'expired', 180), ...renewedOwn(3, 200) }))
      .then(E.right([expired(1, 180, 250), expired(2, 190, 250)]))
  })
  it('given no lapsed seat, when swept, then nothing is written', () => {
    given(created(), granted(1)).when({ type: 'ExpireLapsedSeats', orderId }, ctx(100)).then(E.right([]))
  })
  it('given an expiry already written, when swept again, then nothing is written twice', () => {
    given(created(), granted(1), expired(1, 180, 200)).when({ type: 'ExpireLapsedSeats', orderId }, ctx(400)).then(E.right([]))
  })
})

describe('revoking tokens', () => {
  const revokedSeat: OrderEvent = {
    type: 'LicenseTokenRevoked',
    data: { orderId, tokenId: 'seat-1', kind: 'seat', ...client(1), clientName: 'Client 1', issuedAt: iso(0), at: iso(10) },
  }
  it('given a held seat, when its token is revoked, then LicenseTokenRevoked and its place is free', () => {
    const outcome = given(created({ activations_allowed: 1 }), granted(1)).when({ type: 'RevokeLicenseToken', orderId, tokenId: 'seat-1' }, ctx(10))
    outcome.then(E.right([revokedSeat]))
    const state = outcome.state() as ExistingOrder
    expect(state.usage.seats).toEqual({})
    expect(state.usage.revokedTokens['seat-1']?.revokedAt).toBe(iso(10))
  })
  it('given an activation, when its token is revoked, then it no longer holds a place and it is not a deactivation', () => {
    const outcome = given(created(), activated(1)).when({ type: 'RevokeLicenseToken', orderId, tokenId: 'act-1' }, ctx(10))
    outcome.then(
      E.right([
        { type: 'LicenseTokenRevoked', data: { orderId, tokenId: 'act-1', kind: 'activation', ...client(1), clientName: 'Client 1', issuedAt: iso(0), at: iso(10) } },
      ]),
    )
    expect(orderCounters(outcome.state() as ExistingOrder)).toEqual({ activatedLicenses: 0, deactivationsLeft: 10 })
  })
  it('given a revoked token, when revoked again, then nothing happens', () => {
    given(created(), granted(1), revokedSeat).when({ type: 'RevokeLicenseToken', orderId, tokenId: 'seat-1' }, ctx(20)).then(E.right([]))
  })
  it('given no such token, when revoked, then TokenNotFound', () => {
    given(created()).when({ type: 'RevokeLicenseToken', orderId, tokenId: 'nope' }, ctx(20)).then(E.left({ _tag: 'TokenNotFound', orderId, tokenId: 'nope' }))
  })
  it('given a revoked seat token, when released, then TokenRevoked', () => {
    given(created(), granted(1), revokedSeat).when(release(1), ctx(20)).then(E.left({ _tag: 'TokenRevoked', orderId, tokenId: 'seat-1', revokedAt: iso(10) }))
  })
})

describe('seat settings', () => {
  it('given the defaults, when an order gets its own interval and lease, then SeatSettingsChanged', () => {
    given(created())
      .when({ type: 'ChangeSeatSettings', orderId, settings: { heartbeatIntervalSeconds: 30, leaseSeconds: 90 } }, ctx(0))
      .then(E.right([{ type: 'SeatSettingsChanged', data: { orderId, heartbeatIntervalSeconds: 30, leaseSeconds: 90, at: iso(0) } }]))
  })
  it('given those settings, when set again, then nothing happens', () => {
    const changed: OrderEvent = { type: 'SeatSettingsChanged', data: { orderId, heartbeatIntervalSeconds: 30, leaseSeconds: 90, at: iso(0) } }
    given(created(), changed).when({ type: 'ChangeSeatSettings', orderId, settings: { heartbeatIntervalSeconds: 30, leaseSeconds: 90 } }, ctx(5)).then(E.right([]))
  })
  it('given any order, when the lease is shorter than two and a half intervals, then LeaseTooShort', () => {
    given(created())
      .when({ type: 'ChangeSeatSettings', orderId, settings: { heartbeatIntervalSeconds: 30, leaseSeconds: 74 } }, ctx(0))
      .then(E.left({ _tag: 'LeaseTooShort', orderId, leaseSeconds: 74, minimum: 75 }))
  })
  it('given any order, when the lease is two and a half intervals, then it is accepted', () => {
    const changed: OrderEvent = { type: 'SeatSettingsChanged', data: { orderId, heartbeatIntervalSeconds: 30, leaseSeconds: 75, at: iso(0) } }
    given(created()).when({ type: 'ChangeSeatSettings', orderId, settings: { heartbeatIntervalSeconds: 30, leaseSeconds: 75 } }, ctx(0)).then(E.right([changed]))
  })
})

describe('logs from before seats had streams (renewals in the order stream)', () => {
  it('given a seat an older engine renewed in the order stream, when another client asks after the first lease, then that renewal still holds it', () => {
    // Its own stream is empty: the order's record, renewal included, is its lease.
    const empty: Liveness = { 'seat-1': { lease: null, ended: null } }
    const state = given(created({ activations_allowed: 2 }), granted(1), renewed(1, 120)).when(request(2), ctx(250, 'seat-2', empty)).state() as ExistingOrder
    expect(Object.keys(state.usage.seats).sort()).toEqual(['seat-1', 'seat-2'])
    expect(state.usage.seats['seat-1']?.leaseExpiresAt).toBe(iso(300))
  })
  it("given such a seat, when its stream expired it at that renewal's lease end, then the order records the expiry then and grants the place", () => {
    given(created({ activations_allowed: 1 }), granted(1), renewed(1, 120))
      .when(request(2), ctx(320, 'seat-2', ended(1, 'expired', 300)))
      .then(E.right([expired(1, 300, 320), granted(2, 320)]))
  })
  it('given such a seat later renewed on its own stream, then the later lease is the one', () => {
    given(created({ activations_allowed: 1 }), granted(1), renewed(1, 120))
      .when(request(2), ctx(400, 'seat-2', renewedOwn(1, 280)))
      .then(E.right([denied(2, 400, 1, 1, 'seat-2')]))
  })
})
