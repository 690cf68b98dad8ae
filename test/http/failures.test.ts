// When the log itself is wrong (an event that does not decode), the engine
// says so: a 500 in the API's envelope without internals, and an unhealthy
// /healthz — it never answers from a state it could not rebuild.
import { v4 as uuid } from 'uuid'
import { beforeAll, describe, expect, it } from 'vitest'
import { ExpectedVersion } from '../../src/store/port.js'
import { seedOrder, setUpLicense } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

describe('an event that does not decode', () => {
  const server = useEngine()
  const api = client(server)
  beforeAll(async () => {
    await setUpLicense(api, 'CORRUPT-KEY')
    expect((await api.get('/healthz', { token: null })).status).toBe(200)
    const order = (await server.running.store.readAll({ maxCount: 1000 })).find((e) => e.type === 'OrderCreated')!
    await server.running.store.appendToStream(
      order.streamName,
      [{ id: uuid(), type: 'OrderUpdated', data: { orderId: 'x', terms: 'garbage' }, metadata: { actor: 'intruder', correlationId: 'c', causationId: null, requestId: null, clientIp: null, idempotencyKey: null, schemaVersion: 1 } }],
      ExpectedVersion.any,
    )
  })

  it('makes a write to that license a 500 in the dialect, without a stack trace, and writes nothing', async () => {
    const before = (await server.running.store.readAll({ maxCount: 10_000 })).length
    const res = await api.patch('/license-orders/CORRUPT-KEY', seedOrder())
    expect(res.status).toBe(500)
    expect(res.body).toEqual({ detail: 'Internal server error.' })
    expect(res.text).not.toMatch(/EventDecodeError|\.ts:\d+/)
    expect((await server.running.store.readAll({ maxCount: 10_000 })).length).toBe(before)
    expect(server.logs.some((line) => line.level === 50 && JSON.stringify(line).includes('does not decode'))).toBe(true)
  })

  it('makes seed 000 answer 500 in its envelope for that license', async () => {
    const res = await api.patch('/api/v2/clients/1/license', { serialNumber: 'SN-1' })
    expect(res.status).toBe(500)
    expect(res.body).toEqual({ status: 'error', code: 500, message: 'Internal server error', details: 'An internal server error occurred' })
  })

  it('makes /healthz report the stopped projections with 503', async () => {
    let health = await api.get('/healthz', { token: null })
    for (let i = 0; i < 50 && health.status === 200; i += 1) {
      await new Promise((r) => setTimeout(r, 20))
      health = await api.get('/healthz', { token: null })
    }
    expect(health.status).toBe(503)
    expect(health.body.status).toBe('unavailable')
    expect(health.body.checks.projections.ok).toBe(false)
    expect(health.body.checks.projections.detail).toMatch(/OrderUpdated .* does not decode/)
  })

  it('stops the webhook outbox and the mailer at it too, each reported in /healthz', async () => {
    let health = await api.get('/healthz', { token: null })
    for (let i = 0; i < 250 && (health.body.checks.webhooks.ok || health.body.checks.mailer.ok); i += 1) {
      await new Promise((r) => setTimeout(r, 20))
      health = await api.get('/healthz', { token: null })
    }
    expect(health.status).toBe(503)
    expect(health.body.checks.webhooks).toEqual({ ok: false, detail: expect.stringMatching(/OrderUpdated .* does not decode/) })
    expect(health.body.checks.mailer).toEqual({ ok: false, detail: expect.stringMatching(/OrderUpdated .* does not decode/) })
  })
})
