// Property: for random sequences of commands on a license through the real
// application layer (a real SQLite log and snapshot file), restarted now and
// then, at a random snapshot interval,
//   1. a license loaded cold, from its snapshot and the events after it, is
//      the license folded from its first event, exactly (strict equality, and
//      its JSON round trip is exact);
//   2. the cold load reads no more events than the interval, however long the
//      stream (the snapshot's own event, checked, and those after it);
//   3. the live process's license is the fold too.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OrderAggregate } from '../../src/application/aggregates.js'
import { createCommandHandler } from '../../src/application/command-handler.js'
import type { CommandMeta } from '../../src/application/metadata.js'
import { createServices, type Services } from '../../src/application/services.js'
import { createSnapshots, type Snapshots } from '../../src/application/snapshots.js'
import type { MeterDefinition } from '../../src/domain/order/meters.js'
import { noActivationDetails, orderStream } from '../../src/domain/order/index.js'
import { createLogger } from '../../src/logger.js'
import { openSqliteSnapshotStore } from '../../src/store/snapshots.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { seedTerms } from '../domain/fixtures.js'
import { testClock } from '../support/clock.js'
import { eventReads } from '../support/event-reads.js'
import { makeTempDir } from '../support/tmp.js'

const CLIENTS = 4

type Command =
  | { readonly kind: 'grant' | 'heartbeat' | 'release' | 'revoke' | 'activate' | 'deactivate'; readonly client: number }
  | { readonly kind: 'update'; readonly allowed: number }
  | { readonly kind: 'meters'; readonly allowedUses: number }
  | { readonly kind: 'seatSettings'; readonly heartbeatSeconds: number }
  | { readonly kind: 'email'; readonly email: string }
  | { readonly kind: 'tick'; readonly seconds: number }
  | { readonly kind: 'restart' }

const client = fc.integer({ min: 0, max: CLIENTS - 1 })
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('grant' as const), client }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('release' as const, 'activate' as const, 'deactivate' as const), client }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), client }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke' as const), client }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('update' as const), allowed: fc.integer({ min: 1, max: CLIENTS + 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('meters' as const), allowedUses: fc.integer({ min: 0, max: 9 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('seatSettings' as const), heartbeatSeconds: fc.integer({ min: 10, max: 120 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('email' as const), email: fc.constantFrom('a@example.com', 'b@example.com') }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 600 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
)

const meta: CommandMeta = { actor: 'property', correlationId: 'property', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }
const silent = createLogger('silent')
const admin = { credentialId: 'test', scope: { kind: 'admin' as const } }
const requester = (n: number) => ({ clientId: `client-${n}`, machineId: `machine-${n}`, clientName: `Client ${n}`, clientAddr: null })
const presenter = (n: number) => ({ clientId: `client-${n}`, machineId: `machine-${n}` })

/** Cold loads that started from a snapshot, over every run: the property is not met by never taking one. */
let fromSnapshots = 0

const check = async (interval: number, commands: readonly Command[]): Promise<void> => {
  const dir = makeTempDir('snapshot-property')
  const clock = testClock()
  const log = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: clock.now })
  const reads = eventReads()
  const counted = reads.wrap(log)
  let snapshots: Snapshots = createSnapshots({ store: openSqliteSnapshotStore(dir.file('snapshots.sqlite')), interval, logger: silent })
  let services: Services = createServices({ store: counted, clock: clock.now, adminToken: null, snapshots })
  try {
    const customer = await services.customers.create(services.session(), { type: 'CreateCustomer', profile: { name: 'Rivers Inc', description: null, phone_number: null, fax_number: null, street: null, city: null, country: null, zip_code: null, state: null, Contacts: [], CustomTags: [] } }, meta)
    const template = await services.productTemplates.create(services.session(), { type: 'CreateProductTemplate', name: 'Trial', productId: '1' }, meta)
    const created = await services.orders.create(services.session(), admin, { terms: { ...seedTerms, activations_allowed: CLIENTS }, activationKey: null }, meta)
    if (customer._tag === 'Left' || template._tag === 'Left' || created._tag === 'Left') throw new Error('the license could not be set up')
    const { orderId, activationKey } = created.right
    const stream = orderStream(orderId)
    const seats = new Map<number, string>()

    const restart = async (): Promise<void> => {
      snapshots.close()
      snapshots = createSnapshots({ store: openSqliteSnapshotStore(dir.file('snapshots.sqlite')), interval, logger: silent })
      services = createServices({ store: counted, clock: clock.now, adminToken: null, snapshots })
      reads.reset()
      const cold = await services.handler.load(OrderAggregate, stream)
      const folded = await createCommandHandler({ store: log, clock: clock.now }).load(OrderAggregate, stream)
      expect(cold).toStrictEqual(folded)
      expect(JSON.parse(JSON.stringify(folded.state))).toStrictEqual(folded.state)
      const read = reads.read()
      expect(read, `a cold load of ${folded.revision! + 1} events at interval ${interval}`).toBeLessThanOrEqual(interval)
      if (read < folded.revision! + 1) fromSnapshots += 1
    }

    for (const c of commands) {
      clock.advance(1_000)
      const session = services.session()
      switch (c.kind) {
        case 'restart':
          await restart()
          break
        case 'tick':
          clock.advance(c.seconds * 1_000)
          break
        case 'update':
          await services.orders.update(session, admin, { type: 'UpdateOrder', orderId, terms: { ...seedTerms, activations_allowed: c.allowed } }, meta)
          break
        case 'meters': {
          const attributes = [{ name: 'exports', allowedUses: c.allowedUses }] as unknown as readonly MeterDefinition[]
          await services.usage.defineMeterAttributes(session, { type: 'DefineMeterAttributes', orderId, attributes }, meta)
          break
        }
        case 'seatSettings':
          await services.usage.changeSeatSettings(session, { type: 'ChangeSeatSettings', orderId, settings: { heartbeatIntervalSeconds: c.heartbeatSeconds, leaseSeconds: c.heartbeatSeconds * 3 } as never }, meta)
          break
        case 'email':
          await services.licenseUpdates.update(
            session,
            admin,
            { productId: '1', licenseId: activationKey, changes: [{ type: 'ChangeEmail', email: c.email, userIp: '203.0.113.1', test: false, sendNotice: false }] },
            meta,
          )
          break
        case 'grant': {
          const granted = await services.usage.request(session, { type: 'RequestSeat', orderId, ...requester(c.client) }, meta)
          if (granted._tag === 'Right' && granted.right.seat !== null) seats.set(c.client, granted.right.seat.seatId)
          break
        }
        case 'heartbeat':
        case 'release':
        case 'revoke': {
          const seatId = seats.get(c.client)
          if (seatId === undefined) break
          if (c.kind === 'heartbeat') await services.usage.heartbeat(session, { type: 'HeartbeatSeat', orderId, seatId, ...presenter(c.client) }, meta)
          else if (c.kind === 'release') await services.usage.release(session, { type: 'ReleaseSeat', orderId, seatId, ...presenter(c.client) }, meta)
          else await services.usage.revokeToken(session, { type: 'RevokeLicenseToken', orderId, tokenId: seatId }, meta)
          break
        }
        case 'activate':
          await services.usage.activate(session, { type: 'ActivateMachine', orderId, ...requester(c.client), details: noActivationDetails }, meta)
          break
        case 'deactivate':
          await services.usage.deactivate(session, { type: 'DeactivateMachine', orderId, activation: presenter(c.client) }, meta)
          break
      }
    }
    const live = await services.handler.load(OrderAggregate, stream)
    expect(live).toStrictEqual(await createCommandHandler({ store: log, clock: clock.now }).load(OrderAggregate, stream))
    await restart()
  } finally {
    snapshots.close()
    await log.close()
    dir.remove()
  }
}

describe('snapshots, for random command sequences on a license', () => {
  it('a license loaded from its snapshot and the events after it is the license folded from its first event', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.array(command, { minLength: 20, maxLength: 150, size: 'max' }), check), { numRuns: 20 })
    expect(fromSnapshots).toBeGreaterThan(0)
  }, 180_000)
})
