// The audit log over real HTTP: GET /audit/events (filters, cursors, access by
// scope) and GET /license-orders/{activation_key}/history, against a real
// server whose clock the test moves.
import { beforeAll, describe, expect, it } from 'vitest'
import { createCustomer, createTemplate, issueKey, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

const K1 = 'AUDIT-ONE01'
const K1B = 'AUDIT-ONE02'
const K2 = 'AUDIT-TWO01'
const T0 = '2026-11-22T10:00:00.000Z'
const HOUR = 3_600_000

interface Entry {
  position: string
  recorded_at: string
  type: string
  actor: string | null
  client_ip: string | null
  correlation_id: string
  request_id: string | null
  concerns: { order_ids: string[]; customer_ids: number[]; product_ids: string[] }
  changes?: { field: string; old: unknown; new: unknown }[]
  data: Record<string, unknown>
  summary?: string
}

describe('audit log over HTTP', () => {
  const server = useEngine()
  const api = client(server)
  let productOneKey: { id: string; token: string }
  let productTwoKey: { id: string; token: string }
  let licenseKey: { id: string; token: string }
  let order1: string
  let order2: string

  const events = async (query: string, token?: string): Promise<Entry[]> => {
    const res = await api.get(`/audit/events?${query}`, token === undefined ? {} : { token })
    expect(res.status, res.text).toBe(200)
    return res.body.items as Entry[]
  }

  beforeAll(async () => {
    const customer1 = await createCustomer(api)
    const customer2 = await createCustomer(api, { name: 'Second Ltd' })
    const template1 = await createTemplate(api, '1', 'One')
    const template2 = await createTemplate(api, '2', 'Two')
    const created1 = await api.post('/license-orders', { ...seedOrder(customer1, template1), activation_key: K1 })
    expect(created1.status).toBe(201)

    server.clock.advance(HOUR)
    productOneKey = await issueKey(api, { product_id: '1' })
    productTwoKey = await issueKey(api, { product_id: '2' })
    licenseKey = await issueKey(api, { activation_key: K1 })
    const updated = await api.patch(`/license-orders/${K1}`, { ...seedOrder(customer1, template1), activations_allowed: 12 }, {
      token: productOneKey.token,
      headers: { 'x-correlation-id': 'renewal-2026' },
    })
    expect(updated.status).toBe(200)
    expect((await api.post('/license-orders', { ...seedOrder(customer2, template2), activation_key: K2 })).status).toBe(201)

    server.clock.advance(HOUR)
    // Seed 000: the order of customer 1 takes a new key.
    const changed = await api.patch(`/api/v2/clients/${customer1}/license`, { activationKey: K1B })
    expect(changed.status, changed.text).toBe(200)

    const all = await events('limit=1000')
    order1 = all.find((e) => e.type === 'OrderCreated' && e.data.activationKey === K1)!.data.orderId as string
    order2 = all.find((e) => e.type === 'OrderCreated' && e.data.activationKey === K2)!.data.orderId as string
  })

  it("lists a license's events newest first, with who, when, from where, and what an update changed", async () => {
    const items = await events(`license=${K1}`)
    // The order's own events, its keys' reservations and release, and the key scoped to it.
    expect(items.map((e) => e.type)).toEqual([
      'ActivationKeyReleased',
      'ActivationKeyChanged',
      'ActivationKeyReserved',
      'OrderUpdated',
      'ApiKeyIssued',
      'OrderCreated',
      'ActivationKeyReserved',
    ])
    const positions = items.map((e) => BigInt(e.position))
    expect([...positions].sort((a, b) => (a > b ? -1 : 1))).toEqual(positions)

    const update = items.find((e) => e.type === 'OrderUpdated')!
    expect(update).toMatchObject({
      recorded_at: '2026-11-22T11:00:00.000Z',
      actor: productOneKey.id,
      client_ip: '127.0.0.1',
      correlation_id: 'renewal-2026',
      concerns: { order_ids: [order1], customer_ids: [1], product_ids: ['1'] },
      changes: [{ field: 'terms.activations_allowed', old: 10, new: 12 }],
    })
    expect(update.request_id).toEqual(expect.any(String))
    expect(update.data).toMatchObject({ orderId: order1, terms: { activations_allowed: 12 } })

    const keyChange = items.find((e) => e.type === 'ActivationKeyChanged')!
    expect(keyChange.changes).toEqual([{ field: 'activationKey', old: K1, new: K1B }])
    // The creation is shown by its data, not as a change from nothing.
    expect(items.find((e) => e.type === 'OrderCreated')!.changes).toBeUndefined()
  })

  it('finds a license by its current key, a key it had before, or its order id, alike', async () => {
    const byOld = await events(`license=${K1}`)
    expect(await events(`license=${K1B}`)).toEqual(byOld)
    expect(await events(`license=${order1}`)).toEqual(byOld)
    expect(await events('license=NO-SUCH-KEY')).toEqual([])
  })

  it('filters by type (repeatable), actor, customer, product and time', async () => {
    expect((await events('type=OrderUpdated')).map((e) => e.data.orderId)).toEqual([order1])
    expect((await events('type=OrderCreated&type=OrderUpdated')).map((e) => e.type)).toEqual(['OrderCreated', 'OrderUpdated', 'OrderCreated'])
    expect((await events('type=OrderCreated,OrderUpdated')).length).toBe(3)
    expect((await events(`actor=${productOneKey.id}`)).map((e) => e.type)).toEqual(['OrderUpdated'])
    const customer2 = await events('customer_id=2')
    expect(customer2.length).toBeGreaterThan(0)
    expect(customer2.every((e) => e.concerns.customer_ids.includes(2))).toBe(true)
    expect(customer2.map((e) => e.type)).toContain('CustomerCreated')
    const product2 = await events('product_id=2')
    // The reservation of K2's key came before its order existed: it concerns that order only.
    expect(product2.map((e) => e.type)).toEqual(['OrderCreated', 'ApiKeyIssued', 'ProductTemplateCreated'])
    // from is inclusive, to exclusive.
    const secondHour = await events('from=2026-11-22T11:00:00Z&to=2026-11-22T12:00:00Z')
    expect(secondHour.length).toBeGreaterThan(0)
    expect(secondHour.every((e) => e.recorded_at === '2026-11-22T11:00:00.000Z')).toBe(true)
    // 11:00+01:00 is 10:00Z; an unencoded + (read as a space) is taken as the + it was.
    const firstHour = await events(`from=${T0}&to=2026-11-22T11:00:00Z`)
    expect(firstHour.length).toBeGreaterThan(0)
    expect(await events('from=2026-11-22T11:00:00%2B01:00&to=2026-11-22T11:00:00Z')).toEqual(firstHour)
    expect(await events('from=2026-11-22T11:00:00+01:00&to=2026-11-22T11:00:00Z')).toEqual(firstHour)
  })

  it('pages by cursor, newest or oldest first, each event exactly once', async () => {
    const all = await events('limit=1000')
    const collect = async (order: string): Promise<Entry[]> => {
      const seen: Entry[] = []
      let cursor: string | null = null
      do {
        const res = await api.get(`/audit/events?order=${order}&limit=4${cursor === null ? '' : `&cursor=${cursor}`}`)
        expect(res.status).toBe(200)
        expect(res.body.items.length).toBeLessThanOrEqual(4)
        seen.push(...(res.body.items as Entry[]))
        cursor = res.body.next_cursor as string | null
      } while (cursor !== null)
      return seen
    }
    expect(await collect('desc')).toEqual(all)
    expect(await collect('asc')).toEqual([...all].reverse())
    expect(all.length).toBeGreaterThan(8)
  })

  it('answers bad parameters with 400 in the admin envelope, naming each', async () => {
    const res = await api.get('/audit/events?limit=0&order=sideways&from=yesterday&type=Nope&cursor=abc&customer_id=x&licence=K')
    expect(res.status).toBe(400)
    expect(res.body.error.status).toBe(400)
    expect((res.body.error.fields as { field: string }[]).map((f) => f.field).sort()).toEqual(
      ['cursor', 'customer_id', 'from', 'licence', 'limit', 'order', 'type'].sort(),
    )
    expect((await api.get('/audit/events?limit=1001')).body.error.fields).toEqual([{ field: 'limit', message: 'must be an integer from 1 to 1000' }])
    expect((await api.get('/audit/events?to=2026-11-22T10:00:00')).body.error.fields[0].field).toBe('to')
    expect((await api.get(`/audit/events?license=${K1}&license=${K2}`)).body.error.fields[0]).toEqual({ field: 'license', message: 'must be given at most once' })
  })

  it('needs a credential, and keeps redacted what holds a secret', async () => {
    expect((await api.get('/audit/events', { token: null })).status).toBe(401)
    expect((await api.get('/audit/events', { token: 'lk_aaaaaaaaaaaaaaaa_bogus' })).status).toBe(401)
    const issued = (await events('type=ApiKeyIssued')).map((e) => e.data)
    expect(issued.length).toBe(3)
    for (const data of issued) expect(data.secretHash).toBe('[redacted]')
    const res = await api.get('/audit/events?limit=1000')
    expect(res.text).not.toContain(productOneKey.token.slice(-20))
  })

  it("shows a product-scoped key only its product's events, and refuses another product's license or product", async () => {
    const own = await events('limit=1000', productOneKey.token)
    expect(own.length).toBeGreaterThan(0)
    expect(own.every((e) => e.concerns.product_ids.includes('1'))).toBe(true)
    expect(own.some((e) => e.concerns.order_ids.includes(order2))).toBe(false)
    expect(await events(`license=${K1}`, productOneKey.token)).toEqual(await events(`license=${K1}&product_id=1`))
    // Filters narrow what it sees; they never widen it.
    expect(await events('customer_id=2', productOneKey.token)).toEqual([])

    const otherLicense = await api.get(`/audit/events?license=${K2}`, { token: productOneKey.token })
    expect(otherLicense.status).toBe(403)
    expect(otherLicense.body.error.message).toMatch(/may not read/)
    expect((await api.get('/audit/events?product_id=2', { token: productOneKey.token })).status).toBe(403)
    expect((await events(`license=${K2}`, productTwoKey.token)).length).toBeGreaterThan(0)
  })

  it("lets a license-scoped key read its own license's history only", async () => {
    const own = await events('limit=1000', licenseKey.token)
    expect(own.length).toBeGreaterThan(0)
    expect(own.every((e) => e.concerns.order_ids.includes(order1))).toBe(true)
    expect(await events(`license=${K1B}`, licenseKey.token)).toEqual(own)
    expect((await api.get(`/audit/events?license=${K2}`, { token: licenseKey.token })).status).toBe(403)
    expect((await api.get('/audit/events?product_id=2', { token: licenseKey.token })).status).toBe(403)
  })

  describe('GET /license-orders/{activation_key}/history (seed 001 dialect)', () => {
    it('tells each event for a person, with the structured fields beside it', async () => {
      const res = await api.get(`/license-orders/${K1}/history`)
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ activation_key: K1, order_id: order1, current_activation_key: K1B, next_cursor: null })
      const items = res.body.items as Entry[]
      expect(items).toEqual((await events(`license=${K1}`)).map((e) => ({ summary: expect.any(String), ...e })))
      const summaries = items.map((e) => e.summary)
      expect(summaries).toContain(`activations_allowed changed from 10 to 12 by key ${productOneKey.id} (127.0.0.1)`)
      expect(summaries).toContain(`activationKey changed from "${K1}" to "${K1B}" by the admin token (127.0.0.1)`)
      expect(summaries).toContain('Order created by the admin token (127.0.0.1)')
    })

    it('pages and filters like the audit log', async () => {
      const first = await api.get(`/license-orders/${K1B}/history?order=asc&limit=2`)
      expect(first.body.items.map((e: Entry) => e.type)).toEqual(['ActivationKeyReserved', 'OrderCreated'])
      const next = await api.get(`/license-orders/${K1B}/history?order=asc&limit=2&cursor=${first.body.next_cursor}`)
      expect(next.body.items.map((e: Entry) => e.type)).toEqual(['ApiKeyIssued', 'OrderUpdated'])
      expect((await api.get(`/license-orders/${K1}/history?type=OrderUpdated`)).body.items).toHaveLength(1)
    })

    it('answers in the LAC envelope: 404 for an unknown key, 403 for a token of another product, 400 naming a bad parameter', async () => {
      const unknown = await api.get('/license-orders/NOPE1-NOPE2/history')
      expect(unknown.status).toBe(404)
      expect(unknown.body).toEqual({ detail: 'License order activation key does not exist.' })
      const other = await api.get(`/license-orders/${K1}/history`, { token: productTwoKey.token })
      expect(other.status).toBe(403)
      expect(Object.keys(other.body)).toEqual(['detail'])
      expect((await api.get(`/license-orders/${K1}/history`, { token: productOneKey.token })).status).toBe(200)
      expect((await api.get(`/license-orders/${K1}/history`, { token: licenseKey.token })).status).toBe(200)
      expect((await api.get(`/license-orders/${K2}/history`, { token: licenseKey.token })).status).toBe(403)
      const bad = await api.get(`/license-orders/${K1}/history?limit=5000&product_id=1`)
      expect(bad.status).toBe(400)
      expect(bad.body).toEqual({
        detail: 'Invalid data.',
        errors: { product_id: [expect.stringMatching(/^is not a parameter/)], limit: ['must be an integer from 1 to 1000'] },
      })
      expect((await api.get(`/license-orders/${K1}/history`, { token: null })).status).toBe(403)
    })
  })
})
