// The admin API over real HTTP: customers, product templates, API keys, and
// idempotent writes.
import { describe, expect, it } from 'vitest'
import { createCustomer, issueKey, seedCustomer, seedOrder, setUpLicense } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

describe('admin API over HTTP', () => {
  const server = useEngine()
  const api = client(server)

  describe('customers and product templates', () => {
    it('creates a customer with the fields seed 001 shows and an integer id', async () => {
      const res = await api.post('/customers', seedCustomer)
      expect(res.status).toBe(201)
      expect(res.body).toEqual({ id: 1, ...seedCustomer, created_at: '2026-11-22T10:00:00.000Z' })
      expect(res.headers.get('location')).toBe('/customers/1')
      expect((await api.get('/customers/1')).body).toEqual(res.body)
      const second = await api.post('/customers', { name: 'Second' })
      expect(second.body.id).toBe(2)
    })

    it('refuses a customer without a name, or with a bad contact, naming the field', async () => {
      const res = await api.post('/customers', { Contacts: [{ name: 'A', email: 'not-an-address' }] })
      expect(res.status).toBe(400)
      expect(res.body).toEqual({
        error: {
          status: 400,
          message: 'The request is not valid.',
          fields: [
            { field: 'name', message: 'is required' },
            { field: 'Contacts[0].email', message: 'must be an e-mail address' },
          ],
        },
      })
    })

    it('changes a customer, keeping the fields not sent', async () => {
      const id = await createCustomer(api, { name: 'Before', city: 'Old Town' })
      const res = await api.patch(`/customers/${id}`, { name: 'After' })
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ id, name: 'After', city: 'Old Town' })
      expect((await api.patch('/customers/9999', { name: 'x' })).status).toBe(404)
    })

    it('creates a product template with an integer id, product_id kept as a string', async () => {
      const res = await api.post('/product-templates', { name: 'Trial', product_id: 1 })
      expect(res.status).toBe(201)
      expect(res.body).toEqual({ id: 1, name: 'Trial', product_id: '1', created_at: '2026-11-22T10:00:00.000Z' })
      expect((await api.post('/product-templates', { name: 'No product' })).body.error.fields).toEqual([{ field: 'product_id', message: 'is required' }])
    })

    it('lists customers and product templates, paged', async () => {
      const page = await api.get('/customers?limit=1&offset=1')
      expect(page.status).toBe(200)
      expect(page.body).toMatchObject({ limit: 1, offset: 1, items: [{ id: 2, name: 'Second' }] })
      expect((await api.get('/customers?limit=0')).status).toBe(400)
      expect((await api.get('/product-templates')).body.items).toHaveLength(1)
    })
  })

  describe('API keys', () => {
    it('issues a key whose token is shown once and stored only as a hash', async () => {
      const res = await api.post('/api-keys', { name: 'reseller', scope: { product_id: '1' } })
      expect(res.status).toBe(201)
      expect(res.body).toMatchObject({ name: 'reseller', scope: { product_id: '1' }, expires_at: null, revoked_at: null })
      expect(res.body.token).toMatch(/^lk_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/)
      const listed = await api.get('/api-keys')
      expect(listed.text).not.toContain(res.body.token)
      expect(listed.text).not.toContain('secretHash')
      expect(listed.body.items.map((k: { id: string }) => k.id)).toContain(res.body.id)
      const stored = await server.running.store.readAll({ maxCount: 100_000 })
      expect(JSON.stringify(stored.map((e) => e.data))).not.toContain(res.body.token)
    })

    it('scopes a key to one license by its activation key', async () => {
      const { key } = await setUpLicense(api, 'SCOPED-LIC')
      const scoped = await issueKey(api, { activation_key: key })
      expect((await api.get(`/license-orders/${key}`, { token: scoped.token })).status).toBe(200)
      await api.post('/license-orders', { ...seedOrder(), activation_key: 'NOT-MINE' })
      expect((await api.get('/license-orders/NOT-MINE', { token: scoped.token })).status).toBe(403)
      expect((await api.post('/api-keys', { name: 'x', scope: { activation_key: 'NO-SUCH-KEY' } })).body.error.fields).toEqual([
        { field: 'scope.activation_key', message: 'no license order has this key' },
      ])
    })

    it('refuses admin endpoints to a scoped key and to no key', async () => {
      const scoped = await issueKey(api, { product_id: '1' })
      expect((await api.post('/customers', { name: 'x' }, { token: scoped.token })).status).toBe(403)
      const anonymous = await api.post('/customers', { name: 'x' }, { token: null })
      expect(anonymous.status).toBe(401)
      expect(anonymous.body.error.message).toMatch(/no credentials/)
    })

    it('revokes a key, after which it is refused everywhere', async () => {
      const key = await issueKey(api, 'admin')
      expect((await api.get('/customers', { token: key.token })).status).toBe(200)
      const revoked = await api.delete(`/api-keys/${key.id}`)
      expect(revoked.status).toBe(200)
      expect(revoked.body.revoked_at).toBe('2026-11-22T10:00:00.000Z')
      const after = await api.get('/customers', { token: key.token })
      expect(after.status).toBe(401)
      // The same answer as for a key that never existed: the reason is only in the log.
      const unknown = await api.get('/customers', { token: `lk_${'a'.repeat(16)}_${'b'.repeat(43)}` })
      expect(after.body).toEqual(unknown.body)
      expect(after.body.error.message).not.toMatch(/revoked/)
      expect((await api.delete('/api-keys/nosuchkey')).status).toBe(404)
    })

    it('refuses a bad scope or an expiry in the past, naming the field', async () => {
      expect((await api.post('/api-keys', { name: 'x', scope: 'root' })).body.error.fields[0].field).toBe('scope')
      expect((await api.post('/api-keys', { name: 'x', scope: 'admin', expires_at: '2020-01-01T00:00:00Z' })).body.error.fields).toEqual([
        { field: 'expires_at', message: 'must be in the future' },
      ])
    })
  })

  describe('idempotent writes', () => {
    it('a retried create with the same Idempotency-Key gets the first reply and creates nothing new', async () => {
      const headers = { 'idempotency-key': 'create-customer-1' }
      const first = await api.post('/customers', { name: 'Once Ltd' }, { headers })
      const again = await api.post('/customers', { name: 'Once Ltd' }, { headers })
      expect(first.status).toBe(201)
      expect(again.status).toBe(201)
      expect(again.body).toEqual(first.body)
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      const named = (await api.get('/customers?limit=500')).body.items.filter((c: { name: string }) => c.name === 'Once Ltd')
      expect(named).toHaveLength(1)
      // The key is kept in the metadata of the events the write appended.
      const events = await server.running.store.readStream(`customer-${first.body.id}`)
      expect(events.map((e) => (e.metadata as { idempotencyKey: string }).idempotencyKey)).toEqual(['create-customer-1'])
    })

    it('concurrent retries with one key run the write once', async () => {
      const headers = { 'idempotency-key': 'burst-1' }
      const replies = await Promise.all(Array.from({ length: 10 }, () => api.post('/customers', { name: 'Burst Ltd' }, { headers })))
      expect(new Set(replies.map((r) => r.body.id)).size).toBe(1)
    })

    it('the same key with a different request is refused with 422', async () => {
      const headers = { 'idempotency-key': 'create-customer-2' }
      expect((await api.post('/customers', { name: 'A' }, { headers })).status).toBe(201)
      const other = await api.post('/customers', { name: 'B' }, { headers })
      expect(other.status).toBe(422)
      expect(other.body.error.message).toMatch(/different request/)
    })

    it('an idempotent PATCH of an order appends nothing new the second time', async () => {
      await setUpLicense(api, 'IDEMPOTENT-LIC')
      const headers = { 'idempotency-key': 'patch-1' }
      const body = { ...seedOrder(), activations_allowed: 33 }
      const first = await api.patch('/license-orders/IDEMPOTENT-LIC', body, { headers })
      const countAfterFirst = (await server.running.store.readAll({ maxCount: 100_000 })).length
      const again = await api.patch('/license-orders/IDEMPOTENT-LIC', body, { headers })
      expect(again.body).toEqual(first.body)
      expect((await server.running.store.readAll({ maxCount: 100_000 })).length).toBe(countAfterFirst)
    })

    it('a replayed key issue returns the same key without its token', async () => {
      const headers = { 'idempotency-key': 'issue-key-1' }
      const first = await api.post('/api-keys', { name: 'once', scope: 'admin' }, { headers })
      const again = await api.post('/api-keys', { name: 'once', scope: 'admin' }, { headers })
      expect(again.body).toEqual({ ...first.body, token: null })
      expect((await api.get('/api-keys?limit=500')).body.items.filter((k: { name: string }) => k.name === 'once')).toHaveLength(1)
    })

    it('refuses a malformed Idempotency-Key', async () => {
      const res = await api.post('/customers', { name: 'x' }, { headers: { 'idempotency-key': 'has space' } })
      expect(res.status).toBe(400)
      expect(res.body.error.fields).toEqual([{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }])
    })
  })
})
