// The mailer on its own: a real SQLite log, a transport that fails on demand.
// What a failed send leaves pending survives a restart; what was sent is not
// sent again.
import { afterEach, describe, expect, it } from 'vitest'
import { encodeEvent } from '../../src/application/event-codec.js'
import { systemMeta } from '../../src/application/metadata.js'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import type { DomainEvent } from '../../src/domain/events.js'
import type { OrderEvent } from '../../src/domain/order/index.js'
import { createMailer, mailerHealth } from '../../src/mail/mailer.js'
import type { MailMessage, MailTransport } from '../../src/mail/transport.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { ExpectedVersion } from '../../src/store/port.js'
import { pino } from 'pino'
import { NOW, seedTerms } from '../domain/fixtures.js'
import { eventually } from '../support/eventually.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

const orderId = 'order-1'
const at = NOW.toISOString()
const events: OrderEvent[] = [
  { type: 'OrderCreated', data: { orderId, activationKey: 'TEST12345' as ActivationKey, terms: seedTerms, at } },
  { type: 'LicenseEmailChanged', data: { orderId, from: 'old@example.com', to: 'new@example.com', userIp: '203.0.113.5', sendNotice: true, test: false, at } },
]

/** A transport that records each message and fails while `failing` says so. */
const recordingTransport = (failing: (message: MailMessage) => boolean) => {
  const attempts: string[] = []
  const sent: string[] = []
  const transport: MailTransport = {
    kind: 'smtp',
    send: async (message) => {
      attempts.push(message.to)
      if (failing(message)) throw new Error('451 try again later')
      sent.push(message.to)
    },
    close: () => undefined,
  }
  return { transport, attempts, sent }
}

describe('mailer', () => {
  let dir: TempDir
  afterEach(() => dir?.remove())

  it('resends only what a failed attempt left unsent, also after a restart', async () => {
    dir = makeTempDir('mailer')
    const store = createSqliteEventStore({ path: dir.file('events.sqlite') })
    await store.appendToStream(`order-${orderId}`, events.map((e, i) => encodeEvent(e, systemMeta('test', 'c'), `00000000-0000-4000-8000-00000000000${i}`)), ExpectedVersion.noStream)
    const options = { store, path: dir.file('mailer.sqlite'), from: 'no-reply@localhost', logger: pino({ level: 'silent' }), clock: () => NOW, productName: async () => 'Trial', retryMs: { initial: 5, max: 5 } }

    // The old address takes the notice; the new one keeps failing.
    const down = recordingTransport((m) => m.to === 'new@example.com')
    const first = createMailer({ ...options, transport: down.transport })
    first.start()
    await eventually(() => (down.attempts.length >= 3 ? true : undefined), 5_000, 'retries')
    expect(first.status().retrying).toBe('451 try again later')
    await first.stop()
    expect(down.sent).toEqual(['old@example.com'])
    expect(down.attempts.filter((to) => to === 'old@example.com')).toHaveLength(1)

    const up = recordingTransport(() => false)
    const second = createMailer({ ...options, transport: up.transport })
    second.start()
    const head = await store.headPosition()
    await eventually(() => (second.status().position === head ? true : undefined), 5_000, 'the mailer to catch up')
    await second.stop()
    expect(up.sent).toEqual(['new@example.com'])
    await store.close()
  })
})

describe('mailer on a node that does not lead', () => {
  let dir: TempDir
  afterEach(() => dir?.remove())

  it('sends nothing while another node leads, marks what the leader recorded sent, and sends only the rest once it leads', async () => {
    dir = makeTempDir('mailer-follower')
    const store = createSqliteEventStore({ path: dir.file('events.sqlite') })
    const meta = systemMeta('test', 'c')
    await store.appendToStream(`order-${orderId}`, events.map((e, i) => encodeEvent(e, meta, `00000000-0000-4000-8000-00000000000${i}`)), ExpectedVersion.noStream)
    let leading = false
    const up = recordingTransport(() => false)
    const mailer = createMailer({
      store,
      path: dir.file('mailer.sqlite'),
      from: 'no-reply@localhost',
      logger: pino({ level: 'silent' }),
      clock: () => NOW,
      productName: async () => 'Trial',
      transport: up.transport,
      leading: () => leading,
    })
    mailer.start()
    // The leader sent the notice to the old address and recorded it.
    const sent: DomainEvent = { type: 'EmailNoticeSent', data: { key: '00000000-0000-4000-8000-000000000001-old', at } }
    await store.appendToStream('deliveries-mail', [encodeEvent(sent, meta, '00000000-0000-4000-8000-0000000000aa')], ExpectedVersion.any)
    expect(await mailer.waitFor(await store.headPosition(), 5_000)).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(up.attempts).toEqual([])

    leading = true
    mailer.wake()
    await eventually(() => (up.sent.length >= 1 ? true : undefined), 5_000, 'the notice left to send')
    await mailer.stop()
    expect(up.sent).toEqual(['new@example.com'])
    await store.close()
  })
})

describe('mailer and a stored event that does not decode', () => {
  let dir: TempDir
  afterEach(() => dir?.remove())

  it('stops at it, of whatever type, keeps its checkpoint before it, and sends nothing after it', async () => {
    dir = makeTempDir('mailer-undecodable')
    const store = createSqliteEventStore({ path: dir.file('events.sqlite') })
    const meta = systemMeta('test', 'c')
    const [created, emailChanged] = events
    await store.appendToStream(`order-${orderId}`, [encodeEvent(created!, meta, '00000000-0000-4000-8000-000000000000')], ExpectedVersion.noStream)
    const before = await store.headPosition()
    // One of ours, of a type the mailer keeps nothing of, that does not decode (a required field missing).
    await store.appendToStream('order-order-2', [{ ...encodeEvent(created!, meta, '00000000-0000-4000-8000-0000000000bb'), data: { orderId: 'order-2' } }], ExpectedVersion.noStream)
    await store.appendToStream(`order-${orderId}`, [encodeEvent(emailChanged!, meta, '00000000-0000-4000-8000-000000000001')], ExpectedVersion.any)
    const up = recordingTransport(() => false)
    const mailer = createMailer({ store, path: dir.file('mailer.sqlite'), from: 'no-reply@localhost', logger: pino({ level: 'silent' }), clock: () => NOW, productName: async () => 'Trial', transport: up.transport })
    mailer.start()
    await eventually(() => mailer.status().error ?? undefined, 5_000, 'the mailer to stop')
    expect(mailer.status()).toMatchObject({ running: false, position: before })
    expect(mailer.status().error).toContain('OrderCreated (00000000-0000-4000-8000-0000000000bb)')
    expect(mailerHealth(mailer).ok).toBe(false)
    expect(await mailer.waitFor(await store.headPosition(), 1_000)).toBe(false)
    await mailer.stop()
    expect(up.attempts).toEqual([])
    await store.close()
  })
})
