// The outbox on a real SQLite file: given the log's events in order, then the
// deliveries it stores; handling an event again makes none twice.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type Database from 'better-sqlite3'
import type { EventMetadata } from '../../src/application/metadata.js'
import type { DomainEvent } from '../../src/domain/events.js'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { applyEvents, type Envelope } from '../../src/projections/projection.js'
import { createOutbox, deliveryIdOf, openOutbox, outboxProjection, type Outbox } from '../../src/webhooks/outbox.js'
import { worldProjections } from '../../src/webhooks/world.js'
import { NOW, seedTerms } from '../domain/fixtures.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

const metadata: EventMetadata = { schemaVersion: 1, actor: 'test', correlationId: 'c', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }
const sealed = { alg: 'A256GCM' as const, kid: 'k', iv: 'i', tag: 't', ciphertext: 'c' }
const at = NOW.toISOString()

const registered = (endpointId: string, events: string[]): DomainEvent => ({
  type: 'WebhookEndpointRegistered',
  data: { endpointId, url: `http://127.0.0.1/${endpointId}`, events, description: null, enabled: true, secret: sealed, at },
})
const orderCreated = (orderId: string): DomainEvent => ({
  type: 'OrderCreated',
  data: { orderId, activationKey: `KEY-${orderId}` as ActivationKey, terms: seedTerms, at },
})

describe('webhook outbox', () => {
  let dir: TempDir
  let db: Database.Database
  let apply: (envelope: Envelope) => void
  let outbox: Outbox
  let position = 0n

  const handle = (event: DomainEvent, id = `event-${position + 1n}`): void => {
    position += 1n
    const recorded = { id, type: event.type, data: event.data as never, metadata: metadata as never, streamName: 's', revision: 0, position, recordedAt: NOW }
    db.transaction(() => apply({ event, metadata, recorded }))()
  }

  beforeEach(() => {
    dir = makeTempDir('outbox')
    db = openOutbox(dir.file('webhooks.sqlite'))
    const appliers = [...worldProjections, outboxProjection].map((projection) => projection.open(db))
    apply = (envelope) => appliers.forEach((begin) => applyEvents(begin, [envelope]))
    outbox = createOutbox(db)
  })
  afterEach(() => {
    db.close()
    dir.remove()
  })

  it('given endpoints, when an order is created, then one delivery per subscribed endpoint, due at once', () => {
    handle(registered('a', ['license-order.created']))
    handle(registered('b', ['license-order.updated']))
    handle(registered('c', ['*']))
    handle(orderCreated('o1'), 'created-o1')
    const due = outbox.due(NOW.getTime(), 10)
    expect(due.map((d) => [d.endpointId, d.event, d.deliveryId])).toEqual([
      ['a', 'license-order.created', deliveryIdOf('created-o1', 'license-order.created', 'a')],
      ['c', 'license-order.created', deliveryIdOf('created-o1', 'license-order.created', 'c')],
    ])
    expect(JSON.parse(due[0]!.body)).toMatchObject({ event: 'license-order.created', data: { activation_key: 'KEY-o1' }, triggeredAt: at })
  })

  it('given an event handled again (a rebuilt outbox), then no delivery is made twice', () => {
    handle(registered('a', ['*']))
    handle(orderCreated('o1'), 'same-event')
    handle(orderCreated('o1'), 'same-event')
    expect(outbox.deliveries('a', { limit: 10, offset: 0 })).toHaveLength(1)
  })

  it('given an endpoint registered after an event, then it gets no delivery for it', () => {
    handle(orderCreated('o1'))
    handle(registered('late', ['*']))
    expect(outbox.deliveries('late', { limit: 10, offset: 0 })).toEqual([])
  })

  it("given one endpoint's backlog, then another endpoint's due delivery is offered too, each endpoint oldest first", () => {
    handle(registered('busy', ['*']))
    handle(orderCreated('o1'))
    handle(orderCreated('o2'))
    handle(orderCreated('o3'))
    handle(registered('quiet', ['*']))
    handle(orderCreated('o4'))
    const due = outbox.due(NOW.getTime(), 10)
    expect(due.map((d) => [d.endpointId, JSON.parse(d.body).data.activation_key])).toEqual([
      ['busy', 'KEY-o1'],
      ['quiet', 'KEY-o4'],
    ])
  })

  it('given a delivery waiting for a retry, then the next one of its endpoint is offered', () => {
    handle(registered('a', ['*']))
    handle(orderCreated('o1'))
    handle(orderCreated('o2'))
    const [first] = outbox.due(NOW.getTime(), 10)
    outbox.recordFailure(first!.deliveryId, { at: NOW.getTime(), responseStatus: 500, error: 'HTTP 500' }, NOW.getTime() + 1_000)
    expect(outbox.due(NOW.getTime(), 10).map((d) => JSON.parse(d.body).data.activation_key)).toEqual(['KEY-o2'])
    expect(outbox.nextDueAt()).toBe(NOW.getTime())
  })
})
