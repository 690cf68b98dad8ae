// The real engine over a store in trouble: faults are injected under it (the
// fault-injecting wrapper through start's wrapStore), and the engine is asked
// over real HTTP. Appends that fail transiently are retried without writing
// twice, or answered 503 with Retry-After; subscriptions that drop come back
// by themselves, and /healthz shows the gap meanwhile.
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_STORE_CONFIG } from '../../src/config.js'
import { eventually } from '../support/eventually.js'
import { createCustomer, createTemplate, seedCustomer, seedOrder } from '../support/fixtures.js'
import { faultyStore, type FaultyStore } from '../support/faulty-store.js'
import { client, startTestServer, type Client, type TestServer } from '../support/server.js'

describe('the engine over a store in trouble', () => {
  let server: TestServer
  let api: Client
  let faults: FaultyStore
  const start = async (retryBudgetMs = 5_000): Promise<void> => {
    faults = faultyStore()
    server = await startTestServer({
      wrapStore: faults.wrap,
      config: { store: { ...DEFAULT_STORE_CONFIG, retryBudgetMs } },
    })
    api = client(server)
  }
  afterEach(async () => {
    await server.stop()
    server.dir.remove()
  })

  it('an append whose answer was lost is sent again with the same event ids: the client gets its 201, and the customer is written once', async () => {
    await start()
    faults.failAppends(1, { written: true })

    const created = await api.post('/customers', seedCustomer)

    expect(created.status, created.text).toBe(201)
    const [lost, resent] = faults.appends()
    expect(lost?.outcome).toBe('written, then failed')
    expect(resent).toEqual({ ...lost, outcome: 'passed' })
    const stream = await server.running.store.readStream(lost!.streamName)
    expect(stream.map((e) => e.id).filter((id) => lost!.eventIds.includes(id))).toEqual(lost!.eventIds)
    expect((await api.get(`/customers/${created.body.id}`)).body).toMatchObject({ id: created.body.id, name: seedCustomer.name })
    expect((await api.get('/customers')).body.items).toHaveLength(1)
  })

  it('a store that stays down past the budget: 503 with Retry-After in the API\'s envelope, and nothing written', async () => {
    await start(200)
    const order = seedOrder(await createCustomer(api), await createTemplate(api))
    const before = await server.running.store.readAll({ maxCount: 10_000 })
    faults.failAppends(Number.MAX_SAFE_INTEGER)

    const admin = await api.post('/customers', seedCustomer)
    const lac = await api.post('/license-orders', order)

    expect(admin.status).toBe(503)
    expect(admin.headers.get('retry-after')).toBe('1')
    expect(admin.body).toEqual({ error: { status: 503, message: 'The event store is not answering; try again shortly.' } })
    expect([lac.status, lac.headers.get('retry-after')]).toEqual([503, '1'])
    expect(lac.body).toEqual({ detail: 'The event store is not answering; try again shortly.' })
    faults.restore()
    expect(await server.running.store.readAll({ maxCount: 10_000 })).toEqual(before)
  })

  it('subscriptions that drop come back by themselves: /healthz shows the gap, the read models lag meanwhile, then catch up', async () => {
    await start()
    const first = await createCustomer(api)
    expect((await api.get(`/customers/${first}`)).status).toBe(200)
    expect((await api.get('/healthz', { token: null })).body.checks.subscriptions).toEqual({ ok: true, detail: '4 subscribed (command cache, mailer, read-models, webhooks)' })

    faults.dropSubscriptions()
    const gap = await eventually(async () => {
      const health = await api.get('/healthz', { token: null })
      return health.status === 503 ? health.body : undefined
    }, 10_000, '/healthz to show the gap')
    expect(gap.checks.subscriptions.ok).toBe(false)
    expect(gap.checks.subscriptions.detail).toMatch(/^4 of 4 down \(command cache, mailer, read-models, webhooks\) since .*last error: injected fault: /)
    expect(gap.checks.projections.ok).toBe(true)
    const second = await createCustomer(api)
    const listed = async (): Promise<number[]> => (await api.get('/customers')).body.items.map((c: { id: number }) => c.id)
    expect(await listed()).toEqual([first])

    faults.restore()
    await eventually(async () => ((await listed()).length === 2 ? true : undefined), 10_000, 'the read models to catch up')
    expect(await listed()).toEqual([first, second])
    const health = await eventually(async () => {
      const now = await api.get('/healthz', { token: null })
      return now.status === 200 ? now.body : undefined
    }, 10_000, '/healthz to recover')
    expect(health.checks.subscriptions).toEqual({ ok: true, detail: '4 subscribed (command cache, mailer, read-models, webhooks)' })
    expect(health.checks.commandCache).toEqual({ ok: true, detail: expect.stringMatching(/^at position \d+$/) })
    expect(server.logs.some((line) => line.msg === 'event store subscription dropped; resubscribing')).toBe(true)
  })
})
