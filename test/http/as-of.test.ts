// GET /license-orders/{activation_key}?asOf=<instant>: the order as it was at
// an instant, folded from its streams, against a real server whose clock the
// test moves. Each past answer must equal what the live GET said back then.
import { beforeAll, describe, expect, it } from 'vitest'
import { createCustomer, createTemplate, issueKey, seedCustomer, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client, type HttpResult } from '../support/server.js'

const KEY = 'ASOF1-KEY01'
const NEW_KEY = 'ASOF1-KEY02'
const HOUR = 3_600_000

describe('license orders as of an instant (seed 001 dialect)', () => {
  const server = useEngine()
  const api = client(server)
  let atCreation: HttpResult
  let afterUpdate: HttpResult
  let afterKeyChange: HttpResult

  const asOf = (key: string, instant: string, token?: string | null) =>
    api.get(`/license-orders/${key}?asOf=${encodeURIComponent(instant)}`, token === undefined ? {} : { token })
  /** The reply less its `as_of` part: what seed 001's order shows. */
  const seedPart = async (key: string, instant: string): Promise<unknown> => {
    const res = await asOf(key, instant)
    expect(res.status, res.text).toBe(200)
    const { as_of: _asOf, ...order } = res.body as Record<string, unknown>
    return order
  }

  beforeAll(async () => {
    // 10:00 the order is created.
    const customer = await createCustomer(api)
    const template = await createTemplate(api, '1', 'Trial')
    expect((await api.post('/license-orders', { ...seedOrder(customer, template), activation_key: KEY })).status).toBe(201)
    atCreation = await api.get(`/license-orders/${KEY}`)
    // 11:00 its terms and its customer change.
    server.clock.advance(HOUR)
    expect((await api.patch(`/license-orders/${KEY}`, { ...seedOrder(customer, template), activations_allowed: 12 })).status).toBe(200)
    expect((await api.patch(`/customers/${customer}`, { name: 'Rivers & Sons' })).status).toBe(200)
    afterUpdate = await api.get(`/license-orders/${KEY}`)
    // 12:00 it takes a new key (seed 000).
    server.clock.advance(HOUR)
    expect((await api.patch(`/api/v2/clients/${customer}/license`, { activationKey: NEW_KEY })).status).toBe(200)
    afterKeyChange = await api.get(`/license-orders/${NEW_KEY}`)
    server.clock.advance(HOUR)
  })

  it('answers what the live read said at that time: terms, key and customer as they were', async () => {
    expect(atCreation.body).toMatchObject({ activations_allowed: '10', customer: { name: seedCustomer.name } })
    const at1030 = await asOf(KEY, '2026-11-22T10:30:00Z')
    expect(at1030.status).toBe(200)
    expect(at1030.body.as_of).toEqual({ at: '2026-11-22T10:30:00.000Z', email: null, license_data: null, activations: [], seats: [] })
    expect(await seedPart(KEY, '2026-11-22T10:30:00Z')).toEqual(atCreation.body)

    expect(afterUpdate.body).toMatchObject({ activations_allowed: '12', customer: { name: 'Rivers & Sons' } })
    expect(await seedPart(KEY, '2026-11-22T11:30:00Z')).toEqual(afterUpdate.body)
    // The instant itself counts: what was recorded at 11:00:00.000 is part of 11:00.
    expect(await seedPart(KEY, '2026-11-22T11:00:00.000Z')).toEqual(afterUpdate.body)
    expect(await seedPart(KEY, '2026-11-22T10:59:59.999Z')).toEqual(atCreation.body)
    // Any ISO 8601 zone: 12:30+01:00 is 11:30Z.
    expect(await seedPart(KEY, '2026-11-22T12:30:00+01:00')).toEqual(afterUpdate.body)

    expect(await seedPart(NEW_KEY, '2026-11-22T12:30:00Z')).toEqual(afterKeyChange.body)
    expect(await seedPart(NEW_KEY, '2030-01-01T00:00:00Z')).toEqual((await api.get(`/license-orders/${NEW_KEY}`)).body)
  })

  it('resolves a key only to the order that had it at that instant', async () => {
    expect((await asOf(KEY, '2026-11-22T12:30:00Z')).status).toBe(404)
    expect((await asOf(NEW_KEY, '2026-11-22T11:30:00Z')).status).toBe(404)
    const beforeCreation = await asOf(KEY, '2026-11-22T09:59:59Z')
    expect(beforeCreation.status).toBe(404)
    expect(beforeCreation.body).toEqual({ detail: 'License order activation key does not exist.' })
  })

  it('answers an asOf that is not an instant with 400 naming it', async () => {
    for (const bad of ['yesterday', '2026-11-22', '2026-11-22T10:00:00', '2026-13-40T10:00:00Z', '2026-02-30T10:00:00Z', '2026-11-22T24:00:00Z']) {
      const res = await asOf(KEY, bad)
      expect(res.status, bad).toBe(400)
      expect(res.body).toEqual({ detail: 'Invalid data.', errors: { asOf: ['must be an ISO 8601 instant with a time zone, e.g. 2026-11-22T10:00:00Z'] } })
    }
    expect((await api.get(`/license-orders/${KEY}?asOf=2026-11-22T10:30:00Z&asOf=2026-11-22T11:30:00Z`)).status).toBe(400)
  })

  it('lets only credentials that reach the license read its past', async () => {
    const own = await issueKey(api, { product_id: '1' })
    const other = await issueKey(api, { product_id: '2' })
    expect((await asOf(KEY, '2026-11-22T10:30:00Z', own.token)).status).toBe(200)
    const refused = await asOf(KEY, '2026-11-22T10:30:00Z', other.token)
    expect(refused.status).toBe(403)
    expect(Object.keys(refused.body)).toEqual(['detail'])
    expect((await asOf(KEY, '2026-11-22T10:30:00Z', null)).status).toBe(403)
  })
})
