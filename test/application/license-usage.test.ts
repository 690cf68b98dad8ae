// The license usage service against a real SQLite store that counts what is
// asked of it: a heartbeat that needs no renewal is answered from memory and
// never touches the store; one that renews writes one event. On a license with
// many seats, a heartbeat reads its own seat's stream only and goes through
// the command handler once.
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { systemMeta } from '../../src/application/metadata.js'
import type { Session } from '../../src/application/session.js'
import { createServices, type Services } from '../../src/application/services.js'
import { CustomerProfileInput } from '../../src/domain/customer/index.js'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { occupied, type OrderTerms } from '../../src/domain/order/index.js'
import type { EventStore } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { seedTerms } from '../domain/fixtures.js'
import { testClock, type TestClock } from '../support/clock.js'
import { makeTempDir } from '../support/tmp.js'

const counting = (store: EventStore) => {
  const calls = { reads: 0, appends: 0 }
  const counted: EventStore = {
    ...store,
    readStream: (...args) => {
      calls.reads += 1
      return store.readStream(...args)
    },
    appendToStream: (...args) => {
      calls.appends += 1
      return store.appendToStream(...args)
    },
  }
  return { store: counted, calls, reset: () => Object.assign(calls, { reads: 0, appends: 0 }) }
}

/** The session, with the streams it peeks at and its passes through the command handler counted. */
const watched = (session: Session) => {
  const seen = { peeked: [] as string[], handled: 0 }
  const counted: Session = {
    ...session,
    peek: (type, streamName) => {
      seen.peeked.push(streamName)
      return session.peek(type, streamName)
    },
    handle: (...args) => {
      seen.handled += 1
      return session.handle(...args)
    },
  }
  return { session: counted, seen }
}

const right = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(JSON.stringify(either.left))
  return either.right
}

/** A license of `terms` on a real SQLite log whose reads and appends are counted, handed to `run`, closed afterwards. */
const onLicense = async (
  activationKey: string,
  terms: OrderTerms,
  run: (license: { readonly services: Services; readonly clock: TestClock; readonly orderId: string } & ReturnType<typeof counting>) => Promise<void>,
): Promise<void> => {
  const dir = makeTempDir('usage')
  const clock = testClock()
  const sqlite = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: clock.now })
  const counted = counting(sqlite)
  try {
    const services = createServices({ store: counted.store, clock: clock.now, adminToken: null })
    const session = services.session()
    right(await services.customers.create(session, { type: 'CreateCustomer', profile: right(CustomerProfileInput.decode({ name: 'Rivers Inc' })) }, meta))
    right(await services.productTemplates.create(session, { type: 'CreateProductTemplate', name: 'Trial', productId: '1' }, meta))
    const admin = { credentialId: 'test', scope: { kind: 'admin' as const } }
    const order = right(await services.orders.create(session, admin, { terms, activationKey: activationKey as ActivationKey }, meta))
    await run({ services, clock, orderId: order.orderId, ...counted })
  } finally {
    await sqlite.close()
    dir.remove()
  }
}

const meta = systemMeta('test', 'test')

describe('license usage service', () => {
  it('answers a heartbeat that needs no renewal from memory, without touching the store', async () => {
    await onLicense('HEARTBEAT-KEY', seedTerms, async ({ services, clock, orderId, calls, reset }) => {
      const session = services.session()
      const order = { orderId }
      const requester = { clientId: 'c1', machineId: 'm1', clientName: null, clientAddr: null }
      const { seat } = right(await services.usage.request(session, { type: 'RequestSeat', orderId: order.orderId, ...requester }, meta))
      const heartbeat = { type: 'HeartbeatSeat' as const, orderId: order.orderId, seatId: seat!.seatId, clientId: 'c1', machineId: 'm1' }

      reset()
      // Less than half an interval after the grant: nothing to write.
      clock.advance(20_000)
      // Each heartbeat is a request of its own: a new session, with nothing read yet.
      const quiet = right(await services.usage.heartbeat(services.session(), heartbeat, meta))
      expect(quiet.seat?.leaseExpiresAt).toBe(seat!.leaseExpiresAt)
      expect(quiet.written).toBe(0)
      expect(calls).toEqual({ reads: 0, appends: 0 })

      clock.advance(40_000)
      const renewed = right(await services.usage.heartbeat(services.session(), heartbeat, meta))
      expect(renewed.written).toBe(1)
      expect(renewed.seat?.leaseExpiresAt).toBe(new Date(clock.now().getTime() + 180_000).toISOString())
      expect(calls.appends).toBe(1)
    })
  })

  it('on a license with many seats, decides a heartbeat that renews nothing from its own seat stream, through the command handler once', async () => {
    await onLicense('MANY-SEATS-KEY', { ...seedTerms, activations_allowed: 40 }, async ({ services, clock, orderId, calls, reset }) => {
      const order = { orderId }
      const seats = []
      for (let n = 0; n < 30; n += 1) {
        const requester = { clientId: `c${n}`, machineId: `m${n}`, clientName: null, clientAddr: null }
        const { seat, order: after } = right(await services.usage.request(services.session(), { type: 'RequestSeat', orderId: order.orderId, ...requester }, meta))
        expect(after.usage.seatCount).toBe(n + 1)
        seats.push(seat!)
        clock.advance(100)
      }
      const mine = seats[17]!
      const heartbeat = { type: 'HeartbeatSeat' as const, orderId: order.orderId, seatId: mine.seatId, clientId: 'c17', machineId: 'm17' }

      reset()
      clock.advance(20_000)
      const { session: beating, seen } = watched(services.session())
      const quiet = right(await services.usage.heartbeat(beating, heartbeat, meta))
      expect(quiet.seat?.leaseExpiresAt).toBe(mine.leaseExpiresAt)
      expect(quiet.written).toBe(0)
      // Every seat is live, counted from the order's count.
      expect(occupied(quiet.order, quiet.now)).toBe(30)
      expect(seen).toEqual({ peeked: [`order-${order.orderId}`, `seat-${mine.seatId}`], handled: 1 })
      expect(calls).toEqual({ reads: 0, appends: 0 })
    })
  })

  it('given a walk under long leases, when the seat settings are shortened and a seat renewed under them lapses, then a request on the full license finds it expired', async () => {
    await onLicense('SETTINGS-KEY', { ...seedTerms, activations_allowed: 2 }, async ({ services, clock, orderId }) => {
      const session = services.session()
      right(await services.usage.changeSeatSettings(session, { type: 'ChangeSeatSettings', orderId, settings: { heartbeatIntervalSeconds: 3_600, leaseSeconds: 10_800 } }, meta))
      const ask = (clientId: string) => services.usage.request(services.session(), { type: 'RequestSeat', orderId, clientId, machineId: clientId, clientName: null, clientAddr: null }, meta)
      const { seat: first } = right(await ask('c1'))
      right(await ask('c2'))
      // The license is full: this request walks every seat and keeps that none dies for three hours.
      expect(right(await ask('c3')).seat).toBeNull()

      right(await services.usage.changeSeatSettings(services.session(), { type: 'ChangeSeatSettings', orderId, settings: { heartbeatIntervalSeconds: 60, leaseSeconds: 150 } }, meta))
      clock.advance(1_800_000)
      // Renewed under the new settings: its lease now ends 150 s from here.
      right(await services.usage.heartbeat(services.session(), { type: 'HeartbeatSeat', orderId, seatId: first!.seatId, clientId: 'c1', machineId: 'c1' }, meta))
      clock.advance(200_000)
      const granted = right(await ask('c3'))
      expect(granted.seat, JSON.stringify({ ...granted, order: undefined })).not.toBeNull()
    })
  })
})
