// Property: for random sequences of commands across several licenses
// (create, update, change key, grant, heartbeat, release, expire, activate,
// deactivate, change e-mail, time passing),
//   1. the live read models equal a replay of the whole log from scratch;
//   2. the state of every license at every past instant equals the fold of
//      its events up to that instant (what point-in-time queries return);
//   3. no invariant is ever broken: places taken (activations, and every seat
//      the order holds until its own stream's end is recorded, which counts
//      every seat truly alive and maybe one that just lapsed) never exceed
//      what the order allowed when they were taken, deactivations never exceed their cap,
//      and no two licenses ever hold the same activation key.
import * as E from 'fp-ts/Either'
import fc from 'fast-check'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { OrderAggregate, SeatAggregate } from '../../src/application/aggregates.js'
import { decodeRecorded } from '../../src/application/event-codec.js'
import type { CommandMeta } from '../../src/application/metadata.js'
import { createServices } from '../../src/application/services.js'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { noActivationDetails, OrderEvent, orderStream, withLiveness, type ExistingOrder, type OrderState, type OrderTerms } from '../../src/domain/order/index.js'
import { seatStream } from '../../src/domain/seat/index.js'
import { compareAttached } from '../../src/projections/compare.js'
import { createReadModels, READ_MODELS, readModelProjections } from '../../src/projections/index.js'
import { openReadStore } from '../../src/projections/read-store.js'
import { ensureBuiltBy } from '../../src/projections/read-model-set.js'
import { createReplayer } from '../../src/projections/replay.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { seedTerms } from '../domain/fixtures.js'
import { testClock } from '../support/clock.js'
import { makeTempDir } from '../support/tmp.js'

const LICENSES = 3
const KEYS = ['KEY-A', 'KEY-B', 'KEY-C', 'KEY-D'] as const
const CLIENTS = 3
const EMAILS = ['a@example.com', 'b@example.com'] as const

type Command =
  | { readonly kind: 'create'; readonly license: number; readonly key: string | null; readonly allowed: number; readonly deactivations: number | null }
  | { readonly kind: 'update'; readonly license: number; readonly allowed: number; readonly deactivations: number | null }
  | { readonly kind: 'changeKey'; readonly license: number; readonly key: string }
  | { readonly kind: 'grant' | 'heartbeat' | 'release' | 'activate' | 'deactivate'; readonly license: number; readonly client: number }
  | { readonly kind: 'changeEmail'; readonly license: number; readonly email: string }
  | { readonly kind: 'tick'; readonly seconds: number }
  | { readonly kind: 'sweep' }

const license = fc.integer({ min: 0, max: LICENSES - 1 })
const client = fc.integer({ min: 0, max: CLIENTS - 1 })
const allowed = fc.integer({ min: 0, max: 3 })
const deactivations = fc.option(fc.integer({ min: 0, max: 2 }), { nil: null })

const create = (n: number): fc.Arbitrary<Command> =>
  fc.record({ kind: fc.constant('create' as const), license: fc.constant(n), key: fc.option(fc.constantFrom(...KEYS), { nil: null }), allowed, deactivations })

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('create' as const), license, key: fc.option(fc.constantFrom(...KEYS), { nil: null }), allowed, deactivations }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('update' as const), license, allowed, deactivations }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('changeKey' as const), license, key: fc.constantFrom(...KEYS) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('grant' as const), license, client }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), license, client }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('release' as const), license, client }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('activate' as const), license, client }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('deactivate' as const), license, client }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('changeEmail' as const), license, email: fc.constantFrom(...EMAILS) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 400 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const) }) },
)

/** Every license is created first (with colliding keys now and then), then anything may happen to them. */
const scenario: fc.Arbitrary<readonly Command[]> = fc
  .tuple(fc.tuple(...Array.from({ length: LICENSES }, (_, n) => create(n))), fc.array(command, { minLength: 10, maxLength: 80 }))
  .map(([creates, rest]) => [...creates, ...rest])

const meta: CommandMeta = { actor: 'property', correlationId: 'property', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }
const silent = pino({ level: 'silent' })
const requester = (n: number) => ({ clientId: `client-${n}`, machineId: `machine-${n}`, clientName: `Client ${n}`, clientAddr: null })
const terms = (allowedPlaces: number, deactivationsAllowed: number | null): OrderTerms => ({
  ...seedTerms,
  activations_allowed: allowedPlaces,
  deactivations_allowed: deactivationsAllowed,
})

interface Snapshot {
  readonly at: Date
  readonly orderId: string
  readonly state: OrderState
}

/** Runs the commands against a real engine (services, SQLite file, live projections) and checks the three properties. */
const check = async (commands: readonly Command[]): Promise<void> => {
  const dir = makeTempDir('property')
  const clock = testClock()
  const store = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: clock.now, pollIntervalMs: 10 })
  const services = createServices({ store, clock: clock.now, adminToken: null })
  const reads = createReadModels({ store, path: dir.file('read-models.sqlite'), logger: silent, lastAppended: services.handler.lastAppended })
  reads.runner.start()
  try {
    // Each command is a request of its own, in a session of its own.
    const session = services.session
    const admin = { credentialId: 'test', scope: { kind: 'admin' as const } }
    const profile = { name: 'Rivers Inc', description: null, phone_number: null, fax_number: null, street: null, city: null, country: null, zip_code: null, state: null, Contacts: [], CustomTags: [] }
    const customer = await services.customers.create(session(), { type: 'CreateCustomer', profile }, meta)
    const template = await services.productTemplates.create(session(), { type: 'CreateProductTemplate', name: 'Trial', productId: '1' }, meta)
    expect(E.isRight(customer) && E.isRight(template)).toBe(true)

    const orders = new Map<number, string>()
    const seats = new Map<string, string>()
    const snapshots: Snapshot[] = []

    for (const c of commands) {
      clock.advance(1_000)
      if (c.kind === 'tick') {
        clock.advance(c.seconds * 1_000)
        continue
      }
      if (c.kind === 'sweep') {
        for (const orderId of orders.values()) await services.usage.expireLapsed(session(), { type: 'ExpireLapsedSeats', orderId }, meta)
      } else {
        const orderId = orders.get(c.license)
        if (c.kind === 'create') {
          if (orderId !== undefined) continue
          const created = await services.orders.create(session(), admin, { terms: terms(c.allowed, c.deactivations), activationKey: c.key as ActivationKey | null }, meta)
          if (E.isRight(created)) orders.set(c.license, created.right.orderId)
        } else if (orderId !== undefined) {
          switch (c.kind) {
            case 'update':
              await services.orders.update(session(), admin, { type: 'UpdateOrder', orderId, terms: terms(c.allowed, c.deactivations) }, meta)
              break
            case 'changeKey':
              await services.orders.changeIdentity(session(), [{ type: 'ChangeActivationKey', orderId, activationKey: c.key as ActivationKey }], meta)
              break
            case 'grant': {
              const granted = await services.usage.request(session(), { type: 'RequestSeat', orderId, ...requester(c.client) }, meta)
              if (E.isRight(granted) && granted.right.seat !== null) seats.set(`${orderId}/${c.client}`, granted.right.seat.seatId)
              break
            }
            case 'heartbeat':
            case 'release': {
              const seatId = seats.get(`${orderId}/${c.client}`)
              if (seatId === undefined) break
              const presenter = { clientId: `client-${c.client}`, machineId: `machine-${c.client}` }
              if (c.kind === 'heartbeat') await services.usage.heartbeat(session(), { type: 'HeartbeatSeat', orderId, seatId, ...presenter }, meta)
              else await services.usage.release(session(), { type: 'ReleaseSeat', orderId, seatId, ...presenter }, meta)
              break
            }
            case 'activate':
              await services.usage.activate(session(), { type: 'ActivateMachine', orderId, ...requester(c.client), details: noActivationDetails }, meta)
              break
            case 'deactivate':
              await services.usage.deactivate(session(), { type: 'DeactivateMachine', orderId, activation: { clientId: `client-${c.client}`, machineId: `machine-${c.client}` } }, meta)
              break
            case 'changeEmail': {
              const order = await services.orders.get(session(), orderId)
              if (order === null) break
              await services.licenseUpdates.update(
                session(),
                admin,
                { productId: '1', licenseId: order.activationKey, changes: [{ type: 'ChangeEmail', email: c.email, userIp: '203.0.113.1', test: false, sendNotice: false }] },
                meta,
              )
              break
            }
          }
        }
      }
      for (const orderId of orders.values()) {
        snapshots.push({ at: clock.now(), orderId, state: (await services.handler.load(OrderAggregate, orderStream(orderId))).state })
      }
    }

    // 3. Invariants, judged at the moment of each decision, from the log itself.
    const held = new Map<string, string>()
    for (const snapshot of snapshots) {
      if (!snapshot.state.exists) continue
      const holder = held.get(`${snapshot.at.toISOString()}/${snapshot.state.activationKey}`)
      expect(holder === undefined || holder === snapshot.orderId, `two licenses hold ${snapshot.state.activationKey}`).toBe(true)
      held.set(`${snapshot.at.toISOString()}/${snapshot.state.activationKey}`, snapshot.orderId)
    }
    for (const orderId of orders.values()) {
      let state: OrderState = OrderAggregate.decider.initialState
      for (const recorded of await store.readStream(orderStream(orderId))) {
        const { event } = decodeRecorded(recorded)
        if (!OrderEvent.is(event)) throw new Error(`not an order event: ${event.type}`)
        state = OrderAggregate.decider.evolve(state, event)
        if (!state.exists) continue
        const order: ExistingOrder = state
        if (event.type === 'SeatGranted' || event.type === 'MachineActivated') {
          const taken = Object.keys(order.usage.activations).length + Object.keys(order.usage.seats).length
          expect(taken, `${event.type} took place ${taken} of ${order.terms.activations_allowed}`).toBeLessThanOrEqual(order.terms.activations_allowed)
        }
        if (event.type === 'MachineDeactivated' && order.terms.deactivations_allowed !== null) {
          expect(order.usage.deactivations).toBeLessThanOrEqual(order.terms.deactivations_allowed)
        }
      }
    }

    // 2. Every past instant: the fold of the events recorded up to it.
    for (const snapshot of snapshots) {
      expect(await services.pointInTime.stateAt(OrderAggregate, orderStream(snapshot.orderId), snapshot.at)).toEqual(snapshot.state)
    }

    // 1. The live read models equal a replay of the whole log from scratch, and what they
    // hold of each license is what the command side folds from its stream.
    expect(await reads.runner.waitFor(await store.headPosition(), 10_000)).toBe(true)
    // The read model folds the seats' renewals in from their own streams: the order with its seats' leases as those streams leave them.
    for (const orderId of orders.values()) {
      const { state } = await services.handler.load(OrderAggregate, orderStream(orderId))
      if (!state.exists) continue
      const liveness = Object.fromEntries(
        await Promise.all(Object.keys(state.usage.seats).map(async (seatId) => [seatId, (await services.handler.load(SeatAggregate, seatStream(seatId))).state] as const)),
      )
      expect(reads.licenseOrders.get(orderId)).toEqual(withLiveness(state, liveness))
    }
    await reads.runner.stop()
    const fresh = openReadStore(dir.file('replayed.sqlite'))
    ensureBuiltBy(fresh, READ_MODELS, readModelProjections)
    await createReplayer({ db: fresh, projections: readModelProjections, name: READ_MODELS }).until(store, await store.headPosition())
    fresh.close()
    const live = openReadStore(dir.file('read-models.sqlite'))
    live.prepare('ATTACH DATABASE ? AS replayed').run(dir.file('replayed.sqlite'))
    const comparison = compareAttached(live, 'replayed')
    live.close()
    expect(comparison.differences).toEqual([])
    expect(comparison.rows).toBeGreaterThan(0)
  } finally {
    await reads.close()
    await store.close()
    dir.remove()
  }
}

/** Sequences that once broke a property, tried before the random ones. */
const found: readonly (readonly Command[])[] = [
  // A seat renewal (folded into the read model, not into the order's own stream) forgot a denial the order still held.
  [
    { kind: 'create', license: 0, key: null, allowed: 0, deactivations: null },
    { kind: 'create', license: 1, key: null, allowed: 0, deactivations: null },
    { kind: 'create', license: 2, key: null, allowed: 1, deactivations: null },
    { kind: 'grant', license: 2, client: 0 },
    { kind: 'sweep' },
    { kind: 'heartbeat', license: 0, client: 0 },
    { kind: 'heartbeat', license: 0, client: 0 },
    { kind: 'grant', license: 2, client: 1 },
    { kind: 'grant', license: 0, client: 0 },
    { kind: 'tick', seconds: 54 },
    { kind: 'release', license: 0, client: 0 },
    { kind: 'create', license: 0, key: null, allowed: 0, deactivations: null },
    { kind: 'grant', license: 0, client: 0 },
    { kind: 'grant', license: 2, client: 0 },
  ],
]

describe('the engine, for random command sequences', () => {
  it('keeps read models equal to a replay, past states equal to the fold up to them, and every invariant', async () => {
    await fc.assert(fc.asyncProperty(scenario, check), { numRuns: 50, examples: found.map((commands) => [commands]) })
  }, 120_000)
})
