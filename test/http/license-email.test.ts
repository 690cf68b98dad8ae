// Seed 004's e-mail notices (SendDnaEmail), end to end: a license's e-mail is
// changed over HTTP and the notices are read from a real SMTP server on
// loopback, from the outbox folder by default, and across a restart while the
// mail server is down.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { licensesUpdate, type BasicCredential } from '../support/dna.js'
import { eventually } from '../support/eventually.js'
import { issueKey, setUpLicense } from '../support/fixtures.js'
import { useEngine, useEngines } from '../support/engine.js'
import { client, type TestServer, type TestServerOptions } from '../support/server.js'
import { deadPort, headerOf, startSmtpReceiver, textOf, type SmtpReceiver } from '../support/smtp.js'
import { testClock } from '../support/clock.js'

const PRODUCT = 'P1001'
const KEY = 'TEST12345'

/** The engine's options here: seed 004's end users' addresses come through a proxy. */
const options = (given: TestServerOptions): TestServerOptions => ({ ...given, config: { trustProxy: true, ...given.config } })

/** A license and an integration's key on a started engine; seed 004's update, with that key. */
const withLicense = async (server: TestServer) => {
  const api = client(server)
  await setUpLicense(api, KEY, PRODUCT)
  const key = await issueKey(api, 'admin')
  const credential: BasicCredential = { clientId: key.id, apiKey: key.token }
  return { server, api, update: licensesUpdate(api, credential) }
}

describe('e-mail notices through SMTP', () => {
  let smtp: SmtpReceiver
  let update: ReturnType<typeof licensesUpdate>
  // The mail server is up before the engine starts, and goes down after it stopped.
  beforeAll(async () => {
    smtp = await startSmtpReceiver()
  })
  afterAll(async () => {
    await smtp.close()
  })
  const server = useEngine(() => options({ config: { smtpUrl: smtp.url, mailFrom: 'Vendor Support <support@vendor.example>' } }))

  beforeAll(async () => {
    ;({ update } = await withLicense(server))
  })

  it('tells the old and the new address when the e-mail changes, and nobody when SendDnaEmail is false', async () => {
    expect((await update(PRODUCT, KEY, { NewEmail: 'first@example.com', UserIp: '203.0.113.5', SendDnaEmail: false })).status).toBe(204)
    expect((await update(PRODUCT, KEY, { NewEmail: 'second@example.com', UserIp: '203.0.113.5' })).status).toBe(204)

    const mails = await eventually(() => (smtp.received.length >= 2 ? smtp.received : undefined), 10_000, 'two notices')
    expect(mails.map((m) => m.to)).toEqual([['first@example.com'], ['second@example.com']])
    for (const mail of mails) {
      expect(mail.from).toBe('support@vendor.example')
      expect(headerOf(mail.raw, 'From')).toBe('Vendor Support <support@vendor.example>')
      expect(headerOf(mail.raw, 'Subject')).toBe('The e-mail address of your license was changed')
      expect(headerOf(mail.raw, 'Date')).toBe('Sun, 22 Nov 2026 10:00:00 +0000')
      expect(headerOf(mail.raw, 'Message-ID')).toMatch(/^<[0-9a-f-]+-(old|new)@licensing-engine>$/)
    }
    expect(textOf(mails[0]!.raw)).toContain('The e-mail address of your Trial license TEST12345 was changed from first@example.com to second@example.com')
    expect(textOf(mails[1]!.raw)).toContain('This address is now the e-mail address of your Trial license TEST12345 (it was first@example.com)')
  })

  it('sends nothing for a refused request or a data change, and marks a test event as a test', async () => {
    const before = smtp.received.length
    // Refused: a test event for an active product (409), and an invalid parameter (400).
    expect((await update(PRODUCT, KEY, { NewEmail: 'refused@example.com', UserIp: '203.0.113.5', Test: true })).status).toBe(409)
    expect((await update(PRODUCT, KEY, { NewEmail: 'refused@example.com', NewLicenseData: 'x'.repeat(201), UserIp: '203.0.113.5' })).status).toBe(400)
    // The notices go out in log order, so once the next change's notices arrive, nothing else was sent in between.
    expect((await client(server).put(`/products/${PRODUCT}`, { status: 'test', license_data_enabled: true })).status).toBe(200)
    expect((await update(PRODUCT, KEY, { NewLicenseData: 'seats=5', UserIp: '203.0.113.5' })).status).toBe(204)
    expect((await update(PRODUCT, KEY, { NewEmail: 'third@example.com', UserIp: '203.0.113.5', Test: true })).status).toBe(204)
    const mails = await eventually(() => (smtp.received.length >= before + 2 ? smtp.received.slice(before) : undefined), 10_000, 'two more notices')
    expect(mails.map((m) => m.to)).toEqual([['second@example.com'], ['third@example.com']])
    expect(headerOf(mails[0]!.raw, 'Subject')).toBe('[Test] The e-mail address of your license was changed')
  })
})

describe('e-mail notices without SMTP', () => {
  const engines = useEngines()

  it('writes them as .eml files into the outbox folder of the data directory, and logs them', async () => {
    const { server, update } = await withLicense(await engines.start(options({})))
    expect((await update(PRODUCT, KEY, { NewEmail: 'first@example.com', UserIp: '203.0.113.5' })).status).toBe(204)
    expect((await update(PRODUCT, KEY, { NewEmail: 'second@example.com', UserIp: '203.0.113.5' })).status).toBe(204)
    const outbox = join(server.dir.path, 'outbox')
    const files = await eventually(() => {
      const found = readdirSync(outbox).filter((f) => f.endsWith('.eml'))
      return found.length >= 3 ? found.sort() : undefined
    }, 10_000, 'three .eml files')
    const recipients = files.map((f) => headerOf(readFileSync(join(outbox, f), 'utf8'), 'To')).sort()
    // The first e-mail had no old address to tell.
    expect(recipients).toEqual(['first@example.com', 'first@example.com', 'second@example.com'])
    expect(readdirSync(outbox).filter((f) => f.endsWith('.tmp'))).toEqual([])
    const logged = server.logs.filter((l) => l.msg === 'e-mail notice written to the outbox')
    expect(logged.map((l) => l.to).sort()).toEqual(recipients)
  })
})

describe('e-mail notices across a restart', () => {
  const engines = useEngines()

  it('keeps a notice the mail server could not take, and sends it after a restart', async () => {
    const dir = engines.dir()
    const clock = testClock()
    const down = `smtp://mailer:s3cret-pass@127.0.0.1:${await deadPort()}`
    const first = await withLicense(await engines.start(options({ dir, clock, config: { smtpUrl: down } })))
    let smtp: SmtpReceiver | null = null
    try {
      expect((await first.update(PRODUCT, KEY, { NewEmail: 'old@example.com', UserIp: '203.0.113.5', SendDnaEmail: false })).status).toBe(204)
      expect((await first.update(PRODUCT, KEY, { NewEmail: 'new@example.com', UserIp: '203.0.113.5' })).status).toBe(204)
      await eventually(() => first.server.logs.find((l) => l.msg === 'could not send an e-mail notice; will retry'), 10_000, 'a failed send')
      const health = await first.api.get('/healthz')
      expect(health.status).toBe(200)
      expect(health.body.checks.mailer.detail).toMatch(/^retrying: /)
      expect(first.server.rawLogs()).not.toContain('s3cret-pass')
      await first.server.stop()

      smtp = await startSmtpReceiver()
      await engines.start(options({ dir, clock, config: { smtpUrl: smtp.url } }))
      const receiver = smtp
      const mails = await eventually(() => (receiver.received.length >= 2 ? receiver.received : undefined), 10_000, 'the pending notices')
      expect(mails.map((m) => m.to)).toEqual([['old@example.com'], ['new@example.com']])
    } finally {
      await smtp?.close()
    }
  })
})
