// Seed 001 over real HTTP: PATCH /license-orders/{activation_key} and the
// create/read endpoints around it, against a real server and SQLite file.
import { beforeAll, describe, expect, it } from 'vitest'
import { createCustomer, createTemplate, issueKey, seedCustomer, seedOrder, setUpLicense } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

const KEY = 'II1HP-TX8EQ-R1QXZ-7LYXF'

/** Seed 001's example response, for our customer and template. */
const seedResponse = {
  customer: seedCustomer,
  product_template: { id: '1', name: 'Trial', product_id: '1' },
  activation_key: KEY,
  creation_time: '2026-11-22 10:00:00',
  license_type: 'network',
  licensee_type: 'customer',
  licensee: null,
  hostid_match_rate: '100',
  min_hostids: '1',
  activations_allowed: '10',
  activated_licenses_count: 0,
  enabled: true,
  description: 'License order description',
  settings_description: 'Settings description',
  removal: false,
  removal_request_time: null,
  removal_confirmation_time: null,
  deactivations_allowed: '10',
  deactivations_left: 10,
  Hostids: [{ name: 'hostname', min_amount: '1', max_amount: '1' }],
  Features: [
    {
      name: 'Licstat',
      version: '6.0',
      expiration_type: 'days_from_activation',
      expiration_date: null,
      issued_type: 'activation_time',
      issued_date: null,
      options: 'Feature options',
      additional_settings: 'Additional settings',
      enabled: true,
      days_from_activation: '90',
      count: '15',
      maintenance_type: 'fixed',
      maintenance_date: '2020-12-31',
      maintenance_days_from_activation: null,
      comment: 'Feature comment',
    },
  ],
}

describe('license orders (seed 001) over HTTP', () => {
  const server = useEngine()
  const api = client(server)

  beforeAll(async () => {
    await setUpLicense(api, KEY)
  })

  it("answers seed 001's example PATCH with 200 and the example's response shape", async () => {
    const res = await api.patch(`/license-orders/${KEY}`, { ...seedOrder(), activations_allowed: 12 })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.body).toEqual({ ...seedResponse, activations_allowed: '12' })
  })

  it('reads the order back as the last write left it', async () => {
    const updated = await api.patch(`/license-orders/${KEY}`, { ...seedOrder(), description: 'read your writes' })
    expect(updated.status).toBe(200)
    const read = await api.get(`/license-orders/${KEY}`)
    expect(read.status).toBe(200)
    expect(read.body).toEqual(updated.body)
  })

  it('accepts integers sent as numeric strings, as the seed documents some fields', async () => {
    const body = seedOrder()
    const [feature] = body.Features as Record<string, unknown>[]
    const res = await api.patch(`/license-orders/${KEY}`, {
      ...body,
      activations_allowed: '10',
      hostid_match_rate: '100',
      Features: [{ ...feature, days_from_activation: '90', count: '15' }],
    })
    expect(res.status).toBe(200)
    expect(res.body.Features[0].days_from_activation).toBe('90')
  })

  it('answers invalid data with 400 naming every failing field, and changes nothing', async () => {
    const before = await api.get(`/license-orders/${KEY}`)
    const body = seedOrder()
    const [feature] = body.Features as Record<string, unknown>[]
    const res = await api.patch(`/license-orders/${KEY}`, {
      ...body,
      license_type: 'floating',
      hostid_match_rate: 120,
      Features: [{ ...feature, count: undefined, expiration_type: 'fixed' }],
    })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({
      detail: 'Invalid data.',
      errors: { license_type: ['must be one of: local, network'], hostid_match_rate: ['must be at most 100'] },
    })
    const conditional = await api.patch(`/license-orders/${KEY}`, { ...body, Features: [{ ...feature, count: undefined, expiration_type: 'fixed' }] })
    expect(conditional.status).toBe(400)
    expect(conditional.body.errors).toEqual({
      'Features[0].expiration_date': ['is required when expiration_type is fixed'],
      'Features[0].count': ['is required when license_type is network'],
    })
    expect((await api.get(`/license-orders/${KEY}`)).body).toEqual(before.body)
  })

  it('answers a reference to an unknown customer or template with 400 naming the field', async () => {
    const res = await api.patch(`/license-orders/${KEY}`, { ...seedOrder(), customer_id: 99 })
    expect(res.status).toBe(400)
    expect(res.body.errors).toEqual({ customer_id: ['customer 99 does not exist'] })
    const template = await api.patch(`/license-orders/${KEY}`, { ...seedOrder(), product_template_id: 42 })
    expect(template.body.errors).toEqual({ product_template_id: ['product template 42 does not exist'] })
  })

  it('answers an unknown activation key with 404', async () => {
    const res = await api.patch('/license-orders/NOPE1-NOPE2', seedOrder())
    expect(res.status).toBe(404)
    expect(res.body).toEqual({ detail: 'License order activation key does not exist.' })
  })

  it('answers a missing, invalid, revoked or expired token with 403, as documented', async () => {
    const missing = await api.patch(`/license-orders/${KEY}`, seedOrder(), { token: null })
    expect(missing.status).toBe(403)
    expect(missing.body.detail).toMatch(/^Invalid or expired token provided/)
    expect((await api.patch(`/license-orders/${KEY}`, seedOrder(), { token: 'lk_aaaaaaaaaaaaaaaa_bogus' })).status).toBe(403)

    const revoked = await issueKey(api, 'admin')
    expect((await api.delete(`/api-keys/${revoked.id}`)).status).toBe(200)
    expect((await api.patch(`/license-orders/${KEY}`, seedOrder(), { token: revoked.token })).status).toBe(403)

    const expiring = await issueKey(api, 'admin', { expires_at: new Date(server.clock.now().getTime() + 60_000).toISOString() })
    expect((await api.get(`/license-orders/${KEY}`, { token: expiring.token })).status).toBe(200)
    server.clock.advance(61_000)
    const expired = await api.patch(`/license-orders/${KEY}`, seedOrder(), { token: expiring.token })
    expect(expired.status).toBe(403)
    expect(expired.body.detail).toMatch(/expired/)
  })

  it('checks the token before the body: a bad or missing token with a malformed body is a 403, as the vendor answers', async () => {
    const raw = { raw: '{"customer_id": 1,', headers: { 'content-type': 'application/json' } }
    for (const token of [null, 'lk_aaaaaaaaaaaaaaaa_bogus']) {
      const patched = await api.patch(`/license-orders/${KEY}`, undefined, { ...raw, token })
      expect(patched.status, patched.text).toBe(403)
      expect(patched.body.detail).toMatch(/^Invalid or expired token provided/)
      expect((await api.post('/license-orders', undefined, { ...raw, token })).status).toBe(403)
      expect((await api.put(`/license-orders/${KEY}/meter-attributes`, undefined, { ...raw, token })).status).toBe(403)
    }
    // With a good token the malformed body is the 400.
    expect((await api.patch(`/license-orders/${KEY}`, undefined, raw)).status).toBe(400)
  })

  it('lets a key scoped to one product act on that product only', async () => {
    const otherCustomer = await createCustomer(api, { name: 'Other Ltd' })
    const otherTemplate = await createTemplate(api, 'other-product', 'Other')
    await api.post('/license-orders', { ...seedOrder(otherCustomer, otherTemplate), activation_key: 'OTHER-KEY01' })
    const scoped = await issueKey(api, { product_id: '1' })

    expect((await api.patch(`/license-orders/${KEY}`, seedOrder(), { token: scoped.token })).status).toBe(200)
    const other = await api.patch('/license-orders/OTHER-KEY01', seedOrder(otherCustomer, otherTemplate), { token: scoped.token })
    expect(other.status).toBe(403)
    expect((await api.get('/license-orders/OTHER-KEY01', { token: scoped.token })).status).toBe(403)
    // Nor may it move its own license to the other product.
    expect((await api.patch(`/license-orders/${KEY}`, seedOrder(1, otherTemplate), { token: scoped.token })).status).toBe(403)
  })

  it('answers malformed JSON, a wrong content type and an oversized body in the seed 001 envelope', async () => {
    const malformed = await api.patch(`/license-orders/${KEY}`, undefined, { raw: '{"customer_id": 1,', headers: { 'content-type': 'application/json' } })
    expect(malformed.status).toBe(400)
    expect(malformed.body).toEqual({ detail: 'the request body is not valid JSON' })
    const wrongType = await api.patch(`/license-orders/${KEY}`, undefined, { raw: 'customer_id=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(wrongType.status).toBe(415)
    expect(wrongType.body.detail).toMatch(/Content-Type/)
    const huge = await api.patch(`/license-orders/${KEY}`, { ...seedOrder(), description: 'x'.repeat(200_000) })
    expect(huge.status).toBe(413)
    expect(Object.keys(huge.body)).toEqual(['detail'])
    const empty = await api.patch(`/license-orders/${KEY}`)
    expect(empty.status).toBe(400)
    for (const res of [malformed, wrongType, huge, empty]) expect(res.text).not.toMatch(/at .*\.ts:\d+/)
  })

  it('answers a wrong method on a known path with 405 and an unknown path with 404, in the envelope', async () => {
    const wrongMethod = await api.delete(`/license-orders/${KEY}`)
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('allow')).toBe('GET, PATCH')
    expect(Object.keys(wrongMethod.body)).toEqual(['detail'])
    const unknown = await api.get(`/license-orders/${KEY}/nothing-here`)
    expect(unknown.status).toBe(404)
    expect(Object.keys(unknown.body)).toEqual(['detail'])
  })

  it("creates an order with a generated key in the seed's own format, four groups of five (II1HP-TX8EQ-R1QXZ-7LYXF), when none is given", async () => {
    const keys = new Set<string>()
    for (let i = 0; i < 5; i += 1) {
      const res = await api.post('/license-orders', seedOrder())
      expect(res.status).toBe(201)
      expect(res.body.activation_key).toMatch(/^[A-Z0-9]{5}(-[A-Z0-9]{5}){3}$/)
      expect(res.headers.get('location')).toBe(`/license-orders/${res.body.activation_key}`)
      keys.add(res.body.activation_key)
    }
    expect(keys.size).toBe(5)
    // A key of the earlier generated format (five groups) keeps working.
    const earlier = await api.post('/license-orders', { ...seedOrder(), activation_key: 'AHOV2-9GNU1-8FMT0-7ELSZ-6DKRY' })
    expect(earlier.status, earlier.text).toBe(201)
    expect((await api.get('/license-orders/AHOV2-9GNU1-8FMT0-7ELSZ-6DKRY')).status).toBe(200)
  })
})
