// Products' settings for seed 004 through the admin API: PUT and GET
// /products/{product_id}, with their defaults, validation and access rules.
import { beforeAll, describe, expect, it } from 'vitest'
import { createTemplate, issueKey } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

describe('admin API: products (seed 004 settings)', () => {
  const server = useEngine()
  const api = client(server)
  let templateId: number

  beforeAll(async () => {
    templateId = await createTemplate(api, 'DNA-7', 'DNA product')
  })

  it('shows a product nobody configured with the defaults: active, without license data', async () => {
    const res = await api.get('/products/DNA-7')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ product_id: 'DNA-7', status: 'active', license_data_enabled: false, configured_at: null, product_template_ids: [templateId] })
  })

  it('sets the status and the license-data option, records who did, and reads them back', async () => {
    const res = await api.put('/products/DNA-7', { status: 'test', license_data_enabled: true })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      product_id: 'DNA-7',
      status: 'test',
      license_data_enabled: true,
      configured_at: '2026-11-22T10:00:00.000Z',
      product_template_ids: [templateId],
    })
    expect((await api.get('/products/DNA-7')).body).toEqual(res.body)
    const [configured] = await server.running.store.readStream('product-DNA-7')
    expect(configured).toMatchObject({ type: 'ProductConfigured', data: { productId: 'DNA-7', status: 'test', licenseDataEnabled: true }, metadata: { actor: 'admin-token' } })
  })

  it('answers a product_id no product template names with 404', async () => {
    expect((await api.get('/products/NOPE')).status).toBe(404)
    const res = await api.put('/products/NOPE', { status: 'test', license_data_enabled: true })
    expect(res.status).toBe(404)
    expect(res.body.error.message).toMatch(/no product template/)
    expect(await server.running.store.readStream('product-NOPE')).toEqual([])
  })

  it('answers invalid settings with 400 naming each field', async () => {
    const res = await api.put('/products/DNA-7', { status: 'beta', license_data_enabled: 'yes' })
    expect(res.status).toBe(400)
    expect(res.body.error.fields).toEqual([
      { field: 'status', message: 'must be one of: test, active' },
      { field: 'license_data_enabled', message: 'must be true or false' },
    ])
    expect((await api.put('/products/DNA-7', { status: 'active' })).body.error.fields).toEqual([{ field: 'license_data_enabled', message: 'is required' }])
  })

  it('needs an admin credential', async () => {
    expect((await api.get('/products/DNA-7', { token: null })).status).toBe(401)
    const scoped = await issueKey(api, { product_id: 'DNA-7' })
    expect((await api.put('/products/DNA-7', { status: 'active', license_data_enabled: false }, { token: scoped.token })).status).toBe(403)
    expect((await api.get('/products/DNA-7')).body.status).toBe('test')
  })
})
