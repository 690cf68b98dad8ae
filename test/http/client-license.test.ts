// Seed 000 over real HTTP: PATCH /api/v2/clients/{client_id}/license, with
// the {status, code, message, details} envelope on every response.
import { beforeAll, describe, expect, it } from 'vitest'
import { createCustomer, createTemplate, issueKey, seedOrder, setUpLicense } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

const envelope = (status: number, message: string, details: unknown) => ({ status: 'error', code: status, message, details })

describe('client license (seed 000) over HTTP', () => {
  const server = useEngine()
  const api = client(server)
  let clientId: number

  beforeAll(async () => {
    clientId = (await setUpLicense(api, 'ORIGINAL-KEY')).customerId
  })

  it("answers seed 000's example with 200 and the success envelope, and the license takes the new key and serial", async () => {
    const res = await api.patch(`/api/v2/clients/${clientId}/license`, { serialNumber: 'SN123456', activationKey: 'AK654321' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ status: 'success', code: 200, message: 'Operation completed successfully', details: [] })
    expect((await api.get('/license-orders/AK654321')).status).toBe(200)
    expect((await api.get('/license-orders/ORIGINAL-KEY')).status).toBe(404)
  })

  it('changes the serial number alone, and frees the old key for other licenses', async () => {
    expect((await api.patch(`/api/v2/clients/${clientId}/license`, { serialNumber: 'SN-2' })).status).toBe(200)
    const other = await api.post('/license-orders', { ...seedOrder(clientId, 1), activation_key: 'ORIGINAL-KEY' })
    expect(other.status).toBe(201)
  })

  it('answers a missing token with 401 "JWT token not found" and a bad one with 401', async () => {
    const missing = await api.patch(`/api/v2/clients/${clientId}/license`, { serialNumber: 'X' }, { token: null })
    expect(missing.status).toBe(401)
    expect(missing.body).toEqual(envelope(401, 'Authentication failed', 'JWT token not found'))
    const bad = await api.patch(`/api/v2/clients/${clientId}/license`, { serialNumber: 'X' }, { token: 'nonsense' })
    expect(bad.status).toBe(401)
    expect(bad.body.message).toBe('Authentication failed')
  })

  it('answers a key scoped to another product with the 404 of a client that does not exist: which clients exist is not told', async () => {
    const scoped = await issueKey(api, { product_id: 'another-product' })
    const res = await api.patch(`/api/v2/clients/${clientId}/license`, { serialNumber: 'X' }, { token: scoped.token })
    expect(res.status).toBe(404)
    expect(res.body).toEqual(envelope(404, 'Not found', `Client ${clientId} was not found`))
    const own = await issueKey(api, { product_id: '1' })
    expect((await api.patch(`/api/v2/clients/${clientId}/license`, { serialNumber: 'SN-3' }, { token: own.token })).status).toBe(200)
  })

  it('answers an unknown client, or a client without a license, with 404', async () => {
    const unknown = await api.patch('/api/v2/clients/9999/license', { serialNumber: 'X' })
    expect(unknown.status).toBe(404)
    expect(unknown.body).toEqual(envelope(404, 'Not found', 'Client 9999 was not found'))
    const lonely = await createCustomer(api, { name: 'No License Ltd' })
    const none = await api.patch(`/api/v2/clients/${lonely}/license`, { serialNumber: 'X' })
    expect(none.status).toBe(404)
    expect(none.body.details).toBe(`Client ${lonely} has no license`)
  })

  it('answers invalid input with 400 naming the field, and changes nothing', async () => {
    const cases: [string, unknown, string][] = [
      ['/api/v2/clients/abc/license', { serialNumber: 'X' }, 'Validation error: client_id must be a positive integer'],
      [`/api/v2/clients/${clientId}/license`, {}, 'Validation error: body must contain serialNumber, activationKey or both'],
      [`/api/v2/clients/${clientId}/license`, { activationKey: 'has spaces' }, 'Validation error: activationKey must be 1 to 64 letters, digits, dashes or underscores, starting and ending with a letter or digit'],
      [`/api/v2/clients/${clientId}/license`, { serialNumber: 42 }, 'Validation error: serialNumber must be a string'],
    ]
    for (const [path, body, details] of cases) {
      const res = await api.patch(path, body)
      expect(res.status, path).toBe(400)
      expect(res.body).toEqual(envelope(400, 'Invalid request', details))
    }
    expect((await api.get('/license-orders/AK654321')).status).toBe(200)
  })

  it('answers a key used by another license with a 400 whose details say so (the seed lists no 409)', async () => {
    const otherCustomer = await createCustomer(api, { name: 'Second Ltd' })
    await api.post('/license-orders', { ...seedOrder(otherCustomer, 1), activation_key: 'TAKEN-KEY' })
    const res = await api.patch(`/api/v2/clients/${clientId}/license`, { activationKey: 'TAKEN-KEY', serialNumber: 'SN-NOT-KEPT' })
    expect(res.status).toBe(400)
    expect(res.body).toEqual(envelope(400, 'Invalid request', 'Validation error: activationKey TAKEN-KEY is already in use by another license'))
    // Nothing of the request was applied: the key stays the other license's, this client's key is unchanged.
    expect((await api.get('/license-orders/TAKEN-KEY')).status).toBe(200)
    expect((await api.get('/license-orders/AK654321')).status).toBe(200)
  })

  it('checks the token before the body: a bad or missing token with a malformed body is a 401, as the vendor answers', async () => {
    const raw = { raw: '{"serialNumber":', headers: { 'content-type': 'application/json' } }
    const missing = await api.patch(`/api/v2/clients/${clientId}/license`, undefined, { ...raw, token: null })
    expect([missing.status, missing.body]).toEqual([401, envelope(401, 'Authentication failed', 'JWT token not found')])
    const bad = await api.patch(`/api/v2/clients/${clientId}/license`, undefined, { ...raw, token: 'not-a-token' })
    expect([bad.status, bad.body]).toEqual([401, envelope(401, 'Authentication failed', 'JWT token is invalid, expired or revoked')])
    const badType = await api.patch(`/api/v2/clients/${clientId}/license`, undefined, { raw: 'x', headers: { 'content-type': 'text/plain' }, token: 'not-a-token' })
    expect(badType.status).toBe(401)
    // With a good token the malformed body is the 400.
    expect((await api.patch(`/api/v2/clients/${clientId}/license`, undefined, raw)).status).toBe(400)
  })

  it('answers malformed JSON, a wrong content type, an unknown path and a wrong method in the envelope', async () => {
    const malformed = await api.patch(`/api/v2/clients/${clientId}/license`, undefined, { raw: '{"serialNumber":', headers: { 'content-type': 'application/json' } })
    expect(malformed.body).toEqual(envelope(400, 'Invalid request', 'the request body is not valid JSON'))
    const wrongType = await api.patch(`/api/v2/clients/${clientId}/license`, undefined, { raw: 'serialNumber=1', headers: { 'content-type': 'text/plain' } })
    expect(wrongType.status).toBe(415)
    expect(wrongType.body.status).toBe('error')
    const unknown = await api.get('/api/v2/clients')
    expect(unknown.status).toBe(404)
    expect(unknown.body.message).toBe('Not found')
    const wrongMethod = await api.get(`/api/v2/clients/${clientId}/license`)
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.body).toMatchObject({ status: 'error', code: 405 })
  })

  it('a customer moved onto another template is still mapped to its oldest license', async () => {
    const template = await createTemplate(api, '1', 'Second template')
    const customer = await createCustomer(api, { name: 'Two Licenses Ltd' })
    await api.post('/license-orders', { ...seedOrder(customer, template), activation_key: 'FIRST-LIC' })
    await api.post('/license-orders', { ...seedOrder(customer, template), activation_key: 'SECOND-LIC' })
    expect((await api.patch(`/api/v2/clients/${customer}/license`, { activationKey: 'FIRST-LIC-RENAMED' })).status).toBe(200)
    expect((await api.get('/license-orders/FIRST-LIC-RENAMED')).status).toBe(200)
    expect((await api.get('/license-orders/SECOND-LIC')).status).toBe(200)
  })
})
