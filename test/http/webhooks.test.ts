// Webhooks (issue 3) over real HTTP: registration in the admin API, and
// deliveries to a real receiver on loopback, signed, retried with backoff
// (the clock is moved by hand), and kept across a restart.
import { join } from 'node:path'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import Database from 'better-sqlite3'
import { Webhook, WebhookVerificationError } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DEFAULT_WEBHOOK_CONFIG, type WebhookConfig } from '../../src/config.js'
import { createCustomer, createTemplate, issueKey, seedOrder, setUpLicense } from '../support/fixtures.js'
import { licensesUpdate } from '../support/dna.js'
import { useEngine, useEngines } from '../support/engine.js'
import { ADMIN_TOKEN, client } from '../support/server.js'
import { eventually, startReceiver, verifies, type Receiver } from '../support/webhook-receiver.js'

const webhooks: WebhookConfig = {
  ...DEFAULT_WEBHOOK_CONFIG,
  retryBaseMs: 1_000,
  retryCapMs: 4_000,
  maxAttempts: 3,
  timeoutMs: 5_000,
  pollIntervalMs: 20,
}

const SECRET = 'whsec-test-0123456789abcdef'

let keys = 0
const nextKey = (): string => `WHK${String((keys += 1)).padStart(2, '0')}-TEST1`

describe('webhooks over HTTP', () => {
  const server = useEngine({ config: { webhooks } })
  const api = client(server)
  let receiver: Receiver

  const register = async (path: string, events: readonly string[], extra: Record<string, unknown> = {}): Promise<string> => {
    const res = await api.post('/webhooks', { url: `${receiver.url}${path}`, events, secret: SECRET, ...extra })
    expect(res.status, res.text).toBe(201)
    return res.body.id as string
  }
  const deliveries = async (id: string, query = ''): Promise<any[]> => {
    const res = await api.get(`/webhooks/${id}/deliveries${query}`)
    expect(res.status, res.text).toBe(200)
    return res.body.items as any[]
  }
  const deliveryWhere = (id: string, match: (d: any) => boolean, what: string) =>
    eventually(async () => (await deliveries(id)).find(match), 5_000, what)

  beforeAll(async () => {
    receiver = await startReceiver()
  })
  afterAll(async () => {
    await receiver.close()
  })

  it('delivers license-order.updated after a seed 001 PATCH: the order as the reply shows it, signed over the raw body', async () => {
    const id = await register('/updated', ['license-order.updated'])
    const { customerId, templateId, key } = await setUpLicense(api, nextKey())
    const patched = await api.patch(`/license-orders/${key}`, { ...seedOrder(customerId, templateId), activations_allowed: 12 })
    expect(patched.status).toBe(200)

    const [request] = await receiver.received(1, '/updated')
    expect(request!.method).toBe('POST')
    expect(request!.headers['content-type']).toBe('application/json')
    expect(JSON.parse(request!.raw)).toEqual({
      event: 'license-order.updated',
      data: { ...patched.body, email: null, license_data: null },
      triggeredAt: server.clock.now().toISOString(),
    })
    expect(request!.headers['webhook-event']).toBe('license-order.updated')
    expect(request!.headers['webhook-timestamp']).toBe(String(Math.floor(server.clock.now().getTime() / 1000)))
    expect(verifies(SECRET, request!)).toBe(true)
    expect(verifies('another-secret-0123456789', request!)).toBe(false)

    const [delivery] = await deliveries(id)
    expect(delivery).toEqual({
      id: request!.headers['webhook-id'],
      event: 'license-order.updated',
      status: 'delivered',
      attempts: 1,
      response_status: 200,
      last_error: null,
      next_attempt_at: null,
      last_attempt_at: server.clock.now().toISOString(),
      delivered_at: server.clock.now().toISOString(),
      created_at: server.clock.now().toISOString(),
    })
    // The order's creation happened too, but this endpoint did not ask for it.
    expect(receiver.at('/updated')).toHaveLength(1)
  })

  it('delivers license-order.updated when seed 004 changes the license e-mail, with the new address in the data', async () => {
    await register('/email', ['license-order.updated'])
    const { key } = await setUpLicense(api, nextKey())
    const changed = await licensesUpdate(api, { clientId: 'admin', apiKey: ADMIN_TOKEN })('1', key, {
      NewEmail: 'new.owner@example.com',
      UserIp: '203.0.113.9',
      SendDnaEmail: false,
    })
    expect(changed.status).toBe(204)
    const [request] = await receiver.received(1, '/email')
    expect(JSON.parse(request!.raw)).toMatchObject({ event: 'license-order.updated', data: { activation_key: key, email: 'new.owner@example.com', license_data: null } })
  })

  it('delivers only the events each endpoint subscribed to, and nothing to a disabled endpoint', async () => {
    const created = await register('/only-created', ['license-order.created'])
    const all = await register('/all', ['*'])
    const disabled = await register('/disabled', ['license-order.created', 'license-order.updated'], { enabled: false })
    const { customerId, templateId, key } = await setUpLicense(api, nextKey())
    expect((await api.patch(`/license-orders/${key}`, { ...seedOrder(customerId, templateId), enabled: false })).status).toBe(200)

    const toAll = await receiver.received(2, '/all')
    expect(toAll.map((r) => r.json.event)).toEqual(['license-order.created', 'license-order.updated'])
    expect(toAll.map((r) => r.json.data.enabled)).toEqual([true, false])
    await deliveryWhere(created, (d) => d.status === 'delivered', 'the created delivery')
    expect((await deliveries(created)).map((d) => d.event)).toEqual(['license-order.created'])
    expect(receiver.at('/only-created').map((r) => r.json.event)).toEqual(['license-order.created'])
    // The outbox has handled both events (the list waits for it): none was made for the disabled endpoint.
    expect(await deliveries(disabled)).toEqual([])
    expect(receiver.at('/disabled')).toEqual([])
    for (const id of [created, all, disabled]) expect((await api.delete(`/webhooks/${id}`)).status).toBe(204)
  })

  it('retries a receiver that fails at first (500 twice, then 200) with backoff, the attempts visible in the deliveries list', async () => {
    receiver.script([500, 500], '/flaky')
    const id = await register('/flaky', ['license-order.updated'])
    const { customerId, templateId, key } = await setUpLicense(api, nextKey())
    expect((await api.patch(`/license-orders/${key}`, seedOrder(customerId, templateId))).status).toBe(200)
    expect((await api.patch(`/license-orders/${key}`, { ...seedOrder(customerId, templateId), activations_allowed: 11 })).status).toBe(200)
    // The first PATCH changed nothing (same terms): one event, one delivery.

    const first = await deliveryWhere(id, (d) => d.attempts === 1, 'a first failed attempt')
    const now = server.clock.now().getTime()
    expect(first).toMatchObject({ status: 'pending', response_status: 500, last_error: 'HTTP 500', delivered_at: null })
    // Equal jitter: between half the base and the base.
    expect(Date.parse(first.next_attempt_at) - now).toBeGreaterThanOrEqual(500)
    expect(Date.parse(first.next_attempt_at) - now).toBeLessThanOrEqual(1_000)

    server.clock.advance(1_000)
    const second = await deliveryWhere(id, (d) => d.attempts === 2, 'a second failed attempt')
    expect(second).toMatchObject({ status: 'pending', response_status: 500, last_error: 'HTTP 500' })
    const after = Date.parse(second.next_attempt_at) - server.clock.now().getTime()
    expect(after).toBeGreaterThanOrEqual(1_000)
    expect(after).toBeLessThanOrEqual(2_000)

    server.clock.advance(2_000)
    const done = await deliveryWhere(id, (d) => d.status === 'delivered', 'the delivery')
    expect(done).toMatchObject({ attempts: 3, response_status: 200, last_error: null, next_attempt_at: null })

    const attempts = receiver.at('/flaky')
    expect(attempts).toHaveLength(3)
    // Every attempt: the same delivery id, the same bytes, each signed.
    expect(new Set(attempts.map((r) => r.headers['webhook-id']))).toEqual(new Set([done.id]))
    expect(new Set(attempts.map((r) => r.raw)).size).toBe(1)
    for (const attempt of attempts) expect(verifies(SECRET, attempt)).toBe(true)
    expect(attempts[0]!.json.data.activations_allowed).toBe('11')
  })

  it('marks a delivery failed after the maximum number of attempts, and lists it by status', async () => {
    receiver.script([503, 503, 503, 503], '/down')
    const id = await register('/down', ['license-order.created'])
    await setUpLicense(api, nextKey())
    for (let attempt = 1; attempt < webhooks.maxAttempts; attempt += 1) {
      await deliveryWhere(id, (d) => d.attempts === attempt, `attempt ${attempt}`)
      server.clock.advance(webhooks.retryCapMs)
    }
    const failed = await deliveryWhere(id, (d) => d.status === 'failed', 'the failed delivery')
    expect(failed).toMatchObject({ attempts: 3, response_status: 503, last_error: 'HTTP 503', next_attempt_at: null, delivered_at: null })
    expect(await deliveries(id, '?status=failed')).toEqual([failed])
    expect(await deliveries(id, '?status=pending')).toEqual([])
    expect(receiver.at('/down')).toHaveLength(3)
    const bad = await api.get(`/webhooks/${id}/deliveries?status=lost`)
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields).toEqual([{ field: 'status', message: 'must be one of: pending, delivered, failed, cancelled' }])
  })

  it('records a receiver that cannot be reached as a failed attempt without a response status', async () => {
    const gone = await startReceiver()
    const url = `${gone.url}/gone`
    await gone.close()
    const res = await api.post('/webhooks', { url, events: ['license-order.created'], secret: SECRET })
    expect(res.status).toBe(201)
    await setUpLicense(api, nextKey())
    const attempt = await deliveryWhere(res.body.id, (d) => d.attempts === 1, 'a failed attempt')
    expect(attempt).toMatchObject({ status: 'pending', response_status: null })
    expect(attempt.last_error).toMatch(/ECONNREFUSED/)
    expect((await api.delete(`/webhooks/${res.body.id}`)).status).toBe(204)
  })

  it('sends each delivery with the order as it was at its event, whatever happened since', async () => {
    receiver.script([500], '/history')
    const id = await register('/history', ['license-order.updated'])
    const { customerId, templateId, key } = await setUpLicense(api, nextKey())
    expect((await api.patch(`/license-orders/${key}`, { ...seedOrder(customerId, templateId), activations_allowed: 12 })).status).toBe(200)
    await deliveryWhere(id, (d) => d.attempts === 1, 'the first attempt')
    expect((await api.patch(`/license-orders/${key}`, { ...seedOrder(customerId, templateId), activations_allowed: 13 })).status).toBe(200)
    await receiver.received(2, '/history')
    server.clock.advance(webhooks.retryCapMs)
    const requests = await receiver.received(3, '/history')
    // The first (failed) and its retry carry 12, though the order said 13 by the time of the retry.
    const byDelivery = new Map(requests.map((r) => [r.headers['webhook-id'], r.json.data.activations_allowed]))
    expect([...byDelivery.values()].sort()).toEqual(['12', '13'])
    expect(requests[0]!.json.data.activations_allowed).toBe('12')
    expect(requests[2]!.json.data.activations_allowed).toBe('12')
  })

  it('delivers seed 000 changes of activation key and serial number as license-order.updated with the new key', async () => {
    const id = await register('/identity', ['license-order.updated'])
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api)
    const key = nextKey()
    expect((await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: key })).status).toBe(201)
    const changed = await api.patch(`/api/v2/clients/${customerId}/license`, { serialNumber: 'SN-1', activationKey: 'WHNEW-KEY01' })
    expect(changed.status, changed.text).toBe(200)
    const requests = await receiver.received(2, '/identity')
    expect(requests.map((r) => r.json.data.activation_key)).toEqual([key, 'WHNEW-KEY01'])
    expect(await deliveries(id)).toHaveLength(2)
  })

  it('answers an invalid registration with 400 naming each field, in the admin envelope', async () => {
    const res = await api.post('/webhooks', { url: 'ftp://example.com/hooks', events: ['license-order.updated', 'order.exploded'], secret: 'short' })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({
      error: {
        status: 400,
        message: 'The request is not valid.',
        fields: [
          { field: 'url', message: 'must use http or https' },
          {
            field: 'events[1]',
            message:
              'must be one of: license-order.created, license-order.updated, activation.created, activation.updated, activation.deleted, seat.granted, seat.released, seat.expired, *',
          },
          { field: 'secret', message: 'must have at least 16 characters' },
        ],
      },
    })
    const missing = await api.post('/webhooks', {})
    expect(missing.body.error.fields).toEqual([
      { field: 'url', message: 'is required' },
      { field: 'events', message: 'is required' },
    ])
    const star = await api.post('/webhooks', { url: `${receiver.url}/x`, events: ['*', 'seat.granted'] })
    expect(star.body.error.fields).toEqual([{ field: 'events', message: '"*" already means every event; it must be the only entry' }])
    const id = await register('/validated', ['seat.granted'])
    const patch = await api.patch(`/webhooks/${id}`, { url: 'mailto:ops@example.com' })
    expect(patch.status).toBe(400)
    expect(patch.body.error.fields).toEqual([{ field: 'url', message: 'must use http or https' }])
    expect((await api.get(`/webhooks/${id}`)).body.url).toBe(`${receiver.url}/validated`)
    expect((await api.delete(`/webhooks/${id}`)).status).toBe(204)
  })

  it('lets only admin credentials reach the webhook endpoints', async () => {
    const id = await register('/admin-only', ['seat.granted'])
    const product = await issueKey(api, { product_id: '1' })
    const calls = [
      () => ['POST', '/webhooks', { url: `${receiver.url}/x`, events: ['*'] }] as const,
      () => ['GET', '/webhooks', undefined] as const,
      () => ['GET', `/webhooks/${id}`, undefined] as const,
      () => ['PATCH', `/webhooks/${id}`, { enabled: false }] as const,
      () => ['DELETE', `/webhooks/${id}`, undefined] as const,
      () => ['GET', `/webhooks/${id}/deliveries`, undefined] as const,
    ]
    for (const call of calls) {
      const [method, path, body] = call()
      const anonymous = await api.call(method, path, body, { token: null })
      expect(anonymous.status, `${method} ${path}`).toBe(401)
      expect(anonymous.body.error.status).toBe(401)
      const scoped = await api.call(method, path, body, { token: product.token })
      expect(scoped.status, `${method} ${path}`).toBe(403)
      expect(scoped.body).toEqual({ error: { status: 403, message: 'This endpoint needs an admin credential.' } })
    }
    const admin = await issueKey(api, 'admin')
    expect((await api.get(`/webhooks/${id}`, { token: admin.token })).status).toBe(200)
    expect((await api.get(`/webhooks/${id}`)).body.enabled).toBe(true)
  })

  it('shows a generated secret once, never again (not on a replay either), and never keeps it in plain text', async () => {
    const res = await api.post('/webhooks', { url: `${receiver.url}/generated`, events: ['license-order.created'] }, { headers: { 'idempotency-key': 'register-once' } })
    expect(res.status).toBe(201)
    const secret = res.body.secret as string
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(res.headers.get('location')).toBe(`/webhooks/${res.body.id}`)
    const { secret: _shown, ...endpoint } = res.body
    expect(endpoint).toEqual({
      id: res.body.id,
      url: `${receiver.url}/generated`,
      events: ['license-order.created'],
      description: null,
      enabled: true,
      created_at: server.clock.now().toISOString(),
      updated_at: server.clock.now().toISOString(),
    })

    expect((await api.get(`/webhooks/${res.body.id}`)).body).toEqual(endpoint)
    const listed = (await api.get('/webhooks')).body.items as any[]
    expect(listed.find((e) => e.id === res.body.id)).toEqual(endpoint)
    expect(listed.every((e) => !('secret' in e))).toBe(true)
    const replay = await api.post('/webhooks', { url: `${receiver.url}/generated`, events: ['license-order.created'] }, { headers: { 'idempotency-key': 'register-once' } })
    expect(replay.status).toBe(201)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.body).toEqual({ ...endpoint, secret: null })

    // A client-chosen secret is never echoed.
    const chosen = await api.post('/webhooks', { url: `${receiver.url}/chosen`, events: ['license-order.created'], secret: 'my-own-secret-0123456789' })
    expect(chosen.body.secret).toBeNull()

    await setUpLicense(api, nextKey())
    const [delivered] = await receiver.received(1, '/generated')
    expect(verifies(secret, delivered!)).toBe(true)
    // A stock Standard Webhooks receiver, as the README shows it, with the wall clock at the delivery's time.
    const headers = delivered!.headers as Record<string, string>
    vi.useFakeTimers({ toFake: ['Date'], now: server.clock.now() })
    try {
      expect(new Webhook(secret).verify(delivered!.raw, headers)).toEqual(JSON.parse(delivered!.raw))
      expect(() => new Webhook(secret).verify(delivered!.raw.replace('}', ' }'), headers)).toThrow(WebhookVerificationError)
      expect(() => new Webhook(secret).verify(delivered!.raw, { ...headers, 'webhook-id': 'another' })).toThrow(WebhookVerificationError)
      vi.setSystemTime(server.clock.now().getTime() + 10 * 60_000)
      expect(() => new Webhook(secret).verify(delivered!.raw, headers)).toThrow('Message timestamp too old')
    } finally {
      vi.useRealTimers()
    }
    expect(delivered!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/)
    const [chosenDelivery] = await receiver.received(1, '/chosen')
    expect(verifies('my-own-secret-0123456789', chosenDelivery!)).toBe(true)

    // Neither secret is in the data directory (event log, outbox, read models, their WAL files) or the logs.
    for (const entry of readdirSync(server.dir.path, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue
      const file = join(entry.parentPath, entry.name)
      const bytes = readFileSync(file)
      expect(bytes.includes(secret), file).toBe(false)
      expect(bytes.includes('my-own-secret-0123456789'), file).toBe(false)
    }
    expect(server.rawLogs()).not.toContain(secret)
    expect(server.rawLogs()).not.toContain('my-own-secret-0123456789')
    // The key that seals them is readable by its owner only.
    expect(statSync(server.dir.file('webhook-secret-key')).mode & 0o777).toBe(0o600)
  })

  it('changes an endpoint: events, a new secret, disabling; fields not sent keep their value', async () => {
    const id = await register('/changing', ['license-order.created'], { description: 'ERP' })
    const changed = await api.patch(`/webhooks/${id}`, { events: ['license-order.updated'], secret: 'rotated-secret-0123456789' })
    expect(changed.status).toBe(200)
    expect(changed.body).toMatchObject({ id, url: `${receiver.url}/changing`, events: ['license-order.updated'], description: 'ERP', enabled: true })
    expect(changed.body).not.toHaveProperty('secret')

    const { customerId, templateId, key } = await setUpLicense(api, nextKey())
    expect((await api.patch(`/license-orders/${key}`, { ...seedOrder(customerId, templateId), activations_allowed: 3 })).status).toBe(200)
    const [request] = await receiver.received(1, '/changing')
    expect(request!.json.event).toBe('license-order.updated')
    expect(verifies('rotated-secret-0123456789', request!)).toBe(true)
    expect(verifies(SECRET, request!)).toBe(false)

    expect((await api.patch(`/webhooks/${id}`, { enabled: false })).body.enabled).toBe(false)
    expect((await api.patch(`/license-orders/${key}`, { ...seedOrder(customerId, templateId), activations_allowed: 4 })).status).toBe(200)
    expect(await deliveries(id)).toHaveLength(1)
  })

  it('deletes an endpoint: 204, then 404 in the admin envelope, and its pending deliveries are cancelled', async () => {
    receiver.script([500], '/deleted')
    const id = await register('/deleted', ['license-order.created'])
    await setUpLicense(api, nextKey())
    await deliveryWhere(id, (d) => d.attempts === 1, 'a failed attempt')
    const deleted = await api.delete(`/webhooks/${id}`)
    expect(deleted.status).toBe(204)
    expect(deleted.text).toBe('')
    const gone = await api.get(`/webhooks/${id}`)
    expect(gone.status).toBe(404)
    expect(gone.body).toEqual({ error: { status: 404, message: 'no such webhook endpoint' } })
    expect((await api.delete(`/webhooks/${id}`)).status).toBe(404)
    expect((await api.patch(`/webhooks/${id}`, { enabled: true })).status).toBe(404)
    expect((await api.get(`/webhooks/${id}/deliveries`)).status).toBe(404)
    expect((await api.get('/webhooks')).body.items.map((e: any) => e.id)).not.toContain(id)
    expect((await api.get('/webhooks/no-such-endpoint')).status).toBe(404)
    // Its deliveries are no longer listed; read straight from the outbox, the pending one was cancelled.
    const outbox = new Database(server.dir.file('webhooks.sqlite'), { readonly: true })
    try {
      const rows = outbox.prepare('SELECT status, attempts, last_error FROM webhook_deliveries WHERE endpoint_id = ?').all(id)
      expect(rows).toEqual([{ status: 'cancelled', attempts: 1, last_error: 'the endpoint was deleted' }])
    } finally {
      outbox.close()
    }
  })

  it('describes every webhook route in /openapi.json', async () => {
    const { body } = await api.get('/openapi.json', { token: null })
    expect(Object.keys(body.paths['/webhooks'])).toEqual(['post', 'get'])
    expect(Object.keys(body.paths['/webhooks/{id}'])).toEqual(['get', 'patch', 'delete'])
    expect(Object.keys(body.paths['/webhooks/{id}/deliveries'])).toEqual(['get'])
    expect(body.components.schemas.WebhookPayload.required).toEqual(['event', 'data', 'triggeredAt'])
    const wrong = await api.put('/webhooks')
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('POST, GET')
  })
})

describe('webhook deliveries across a restart', () => {
  const engines = useEngines()

  it('delivers after a restart what was pending (in flight, even) when the server stopped', async () => {
    const receiver = await startReceiver()
    let server = await engines.start({ config: { webhooks } })
    try {
      let api = client(server)
      receiver.script(['hang'], '/restart')
      const res = await api.post('/webhooks', { url: `${receiver.url}/restart`, events: ['license-order.created'], secret: SECRET })
      expect(res.status).toBe(201)
      await setUpLicense(api, 'RESTART-KEY01')
      // The receiver holds the first attempt open; the server stops meanwhile.
      const [held] = await receiver.received(1, '/restart')
      server = await server.restart()
      api = client(server)

      const [, redelivered] = await receiver.received(2, '/restart')
      expect(redelivered!.headers['webhook-id']).toBe(held!.headers['webhook-id'])
      expect(redelivered!.raw).toBe(held!.raw)
      expect(verifies(SECRET, redelivered!)).toBe(true)
      const delivered = await eventually(async () => {
        const items = (await api.get(`/webhooks/${res.body.id}/deliveries`)).body.items as any[]
        return items.find((d) => d.status === 'delivered')
      })
      // The attempt cut short by the shutdown is not counted.
      expect(delivered).toMatchObject({ attempts: 1, response_status: 200 })
      expect(receiver.at('/restart')).toHaveLength(2)
    } finally {
      await receiver.close()
    }
  })
})

describe('a node with WEBHOOKS_ENABLED=false', () => {
  const engines = useEngines()

  it('registers endpoints but delivers nothing; the node that delivers sends what happened meanwhile', async () => {
    const receiver = await startReceiver()
    let server = await engines.start({ config: { webhooks: { ...webhooks, enabled: false } } })
    try {
      let api = client(server)
      const res = await api.post('/webhooks', { url: `${receiver.url}/quiet`, events: ['license-order.created'], secret: SECRET })
      expect(res.status).toBe(201)
      await setUpLicense(api, 'QUIET-KEY01')
      await new Promise((r) => setTimeout(r, 300))
      expect(receiver.at('/quiet')).toHaveLength(0)
      expect((await api.get(`/webhooks/${res.body.id}/deliveries`)).body.items).toEqual([])

      // The same log, now on a node that delivers.
      await server.stop()
      server = await engines.start({ dir: server.dir, clock: server.clock, config: { webhooks } })
      api = client(server)
      const [delivered] = await receiver.received(1, '/quiet')
      expect(JSON.parse(delivered!.raw)).toMatchObject({ event: 'license-order.created', data: { activation_key: 'QUIET-KEY01' } })
    } finally {
      await receiver.close()
    }
  })
})

describe('webhook receivers that do not answer in time', () => {
  const engines = useEngines()

  it('counts an attempt that gets no response within WEBHOOK_TIMEOUT_MS as failed, and retries it', async () => {
    const receiver = await startReceiver()
    const server = await engines.start({ config: { webhooks: { ...webhooks, timeoutMs: 300 } } })
    try {
      const api = client(server)
      receiver.script(['hang'], '/slow')
      const res = await api.post('/webhooks', { url: `${receiver.url}/slow`, events: ['license-order.created'], secret: SECRET })
      await setUpLicense(api, 'SLOW1-KEY01')
      const timedOut = await eventually(async () => {
        const items = (await api.get(`/webhooks/${res.body.id}/deliveries`)).body.items as any[]
        return items.find((d) => d.attempts === 1)
      })
      expect(timedOut).toMatchObject({ status: 'pending', response_status: null, last_error: 'no response within 300 ms' })
      server.clock.advance(webhooks.retryCapMs)
      await receiver.received(2, '/slow')
      const delivered = await eventually(async () => {
        const items = (await api.get(`/webhooks/${res.body.id}/deliveries`)).body.items as any[]
        return items.find((d) => d.status === 'delivered')
      })
      expect(delivered).toMatchObject({ attempts: 2, response_status: 200 })
    } finally {
      await receiver.close()
    }
  })
})
