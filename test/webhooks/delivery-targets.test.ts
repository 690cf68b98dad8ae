// The dispatcher's own check of a webhook's target at each delivery, on the
// delivery path itself: a real outbox, a real loopback receiver, and the
// system's resolver. An endpoint whose host name resolves to loopback when
// the delivery is due is not called (WEBHOOK_ALLOW_PRIVATE_TARGETS off), the
// attempt is recorded with the reason; with private targets allowed, the very
// same delivery reaches the receiver.
import { randomBytes } from 'node:crypto'
import { lookup } from 'node:dns/promises'
import type Database from 'better-sqlite3'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import type { EventMetadata } from '../../src/application/metadata.js'
import { createSecretBox } from '../../src/application/secret-box.js'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import type { DomainEvent } from '../../src/domain/events.js'
import { applyEvents, type Envelope } from '../../src/projections/projection.js'
import { createDispatcher } from '../../src/webhooks/dispatcher.js'
import { createOutbox, openOutbox, outboxProjection } from '../../src/webhooks/outbox.js'
import { PRIVATE_TARGET_PROBLEM } from '../../src/webhooks/targets.js'
import { worldProjections } from '../../src/webhooks/world.js'
import { NOW, seedTerms } from '../domain/fixtures.js'
import { eventually } from '../support/eventually.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'
import { startReceiver, type Receiver } from '../support/webhook-receiver.js'

const metadata: EventMetadata = { schemaVersion: 1, actor: 'test', correlationId: 'c', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }
const at = NOW.toISOString()
const settings = { retryBaseMs: 60_000, retryCapMs: 60_000, maxAttempts: 5, timeoutMs: 5_000, pollIntervalMs: 20 }

describe('a webhook delivery to a name that resolves to loopback when it is due', () => {
  let dir: TempDir
  let db: Database.Database
  let receiver: Receiver
  afterEach(async () => {
    db?.close()
    dir?.remove()
    await receiver?.close()
  })

  /** An outbox holding one due delivery, to an endpoint at `localhost` (the receiver's port), with its secret sealed. */
  const outboxWithDelivery = async () => {
    dir = makeTempDir('delivery-targets')
    receiver = await startReceiver()
    db = openOutbox(dir.file('webhooks.sqlite'))
    const secretBox = createSecretBox(randomBytes(32))
    const appliers = [...worldProjections, outboxProjection].map((projection) => projection.open(db))
    let position = 0n
    const handle = (event: DomainEvent): void => {
      position += 1n
      const recorded = { id: `event-${position}`, type: event.type, data: event.data as never, metadata: metadata as never, streamName: 's', revision: 0, position, recordedAt: NOW }
      const envelope: Envelope = { event, metadata, recorded }
      db.transaction(() => appliers.forEach((begin) => applyEvents(begin, [envelope])))()
    }
    const url = `http://localhost:${new URL(receiver.url).port}/hook`
    handle({ type: 'WebhookEndpointRegistered', data: { endpointId: 'e1', url, events: ['*'], description: null, enabled: true, secret: secretBox.seal('whsec-0123456789abcdef', 'e1'), at } })
    handle({ type: 'OrderCreated', data: { orderId: 'o1', activationKey: 'KEY-o1' as ActivationKey, terms: seedTerms, at } })
    const outbox = createOutbox(db)
    expect(outbox.deliveries('e1', { limit: 10, offset: 0 })).toHaveLength(1)
    return { outbox, secretBox }
  }

  const dispatch = (allowPrivateTargets: boolean, outbox: ReturnType<typeof createOutbox>, secretBox: ReturnType<typeof createSecretBox>) =>
    createDispatcher({ outbox, secretBox, clock: () => new Date(), settings: { ...settings, allowPrivateTargets }, logger: pino({ level: 'silent' }), userAgent: 'test' })

  it('is not sent: the attempt is recorded with the reason, and the receiver hears nothing', async () => {
    // The system's resolver says so: the check is made on what `localhost` resolves to now.
    expect((await lookup('localhost', { all: true })).length).toBeGreaterThan(0)
    const { outbox, secretBox } = await outboxWithDelivery()
    const dispatcher = dispatch(false, outbox, secretBox)
    dispatcher.start()
    const [attempted] = await eventually(() => {
      const [delivery] = outbox.deliveries('e1', { limit: 1, offset: 0 })
      return delivery !== undefined && delivery.attempts > 0 ? [delivery] : undefined
    }, 5_000, 'the attempt')
    await dispatcher.stop()
    expect(attempted).toMatchObject({ status: 'pending', attempts: 1, responseStatus: null, lastError: `the target was not called: its URL ${PRIVATE_TARGET_PROBLEM}` })
    expect(receiver.requests).toEqual([])
  })

  it('is sent when private targets are allowed (the same outbox and receiver)', async () => {
    const { outbox, secretBox } = await outboxWithDelivery()
    const dispatcher = dispatch(true, outbox, secretBox)
    dispatcher.start()
    await receiver.received(1, '/hook')
    await eventually(() => (outbox.deliveries('e1', { limit: 1, offset: 0 })[0]?.status === 'delivered' ? true : undefined), 5_000, 'the delivery')
    await dispatcher.stop()
  })
})
