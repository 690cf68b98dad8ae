// What the console reads besides the existing endpoints, over real HTTP: the
// list of licenses a token reaches (searchable, paged, scoped), who holds a
// license now, and the seat report's per-bucket holders and cap.
import { beforeAll, describe, expect, it } from 'vitest'
import { babelClient, clientBody } from '../support/babel.js'
import { createCustomer, createTemplate, issueKey, seedCustomer, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

describe('the list of licenses, their holders, and the seat chart report', () => {
  const server = useEngine()
  const api = client(server)
  let productKey = ''
  let licenseKey = ''

  beforeAll(async () => {
    const rivers = await createCustomer(api)
    const acme = await createCustomer(api, { ...seedCustomer, name: 'Acme 100% Tools_Ltd' })
    const cad = await createTemplate(api, 'cad', 'CAD Suite')
    const cam = await createTemplate(api, 'cam', 'CAM Pro')
    for (const [key, customer, template] of [
      ['LIST-A1', rivers, cad],
      ['LIST-A2', acme, cad],
      ['LIST-B1', acme, cam],
    ] as const) {
      const res = await api.post('/license-orders', { ...seedOrder(customer, template), activation_key: key, activations_allowed: 2 })
      expect(res.status, res.text).toBe(201)
    }
    productKey = (await issueKey(api, { product_id: 'cad' })).token
    licenseKey = (await issueKey(api, { activation_key: 'LIST-B1' })).token
    const babel = babelClient(server)
    expect((await babel('request', clientBody('LIST-A1', 1))).body.granted).toBe(true)
    server.clock.advance(60_000)
    expect((await babel('request', clientBody('LIST-A1', 2))).body.granted).toBe(true)
    expect((await babel('request', clientBody('LIST-A1', 3))).body.granted).toBe(false)
    // 10:02: both seats still held (their leases run three minutes).
    server.clock.advance(60_000)
  })

  it('lists every license for an admin, newest first, with customer, product, seats in use and allowed, and state', async () => {
    const res = await api.get('/license-orders')
    expect(res.status, res.text).toBe(200)
    expect(res.body).toMatchObject({ total: 3, limit: 25, offset: 0, now: server.clock.now().toISOString() })
    expect(res.body.items.map((i: { activation_key: string }) => i.activation_key)).toEqual(['LIST-B1', 'LIST-A2', 'LIST-A1'])
    expect(res.body.items[2]).toMatchObject({
      activation_key: 'LIST-A1',
      customer: { name: 'Rivers Inc' },
      product_template: { name: 'CAD Suite', product_id: 'cad' },
      license_type: 'network',
      in_use: 2,
      seats: 2,
      activations: 0,
      allowed: 2,
      state: 'active',
    })
  })

  it('searches key, customer, template and product, literally (% and _ are no wildcards), and pages', async () => {
    const keys = async (query: string): Promise<string[]> => {
      const res = await api.get(`/license-orders?${query}`)
      expect(res.status, res.text).toBe(200)
      return res.body.items.map((i: { activation_key: string }) => i.activation_key)
    }
    expect(await keys('q=list-a')).toEqual(['LIST-A2', 'LIST-A1'])
    expect(await keys(`q=${encodeURIComponent('100% Tools_')}`)).toEqual(['LIST-B1', 'LIST-A2'])
    expect(await keys(`q=${encodeURIComponent('100_')}`)).toEqual([])
    expect(await keys('q=cam')).toEqual(['LIST-B1'])
    expect(await keys('q=CAD%20suite&limit=1&offset=1')).toEqual(['LIST-A1'])
    expect((await api.get('/license-orders?q=cad&limit=1')).body.total).toBe(2)
  })

  it('shows a product key only its product, and a license key only its license', async () => {
    const product = await api.get('/license-orders', { token: productKey })
    expect(product.body.items.map((i: { activation_key: string }) => i.activation_key)).toEqual(['LIST-A2', 'LIST-A1'])
    expect((await api.get('/license-orders?q=LIST-B1', { token: productKey })).body).toMatchObject({ total: 0, items: [] })
    const license = await api.get('/license-orders', { token: licenseKey })
    expect(license.body.items.map((i: { activation_key: string }) => i.activation_key)).toEqual(['LIST-B1'])
  })

  it('refuses a bad parameter naming it, and a missing token as seed 001 does', async () => {
    const bad = await api.get('/license-orders?limit=0&offset=-1&sort=key')
    expect(bad.status).toBe(400)
    expect(Object.keys(bad.body.errors).sort()).toEqual(['limit', 'offset', 'sort'])
    expect((await api.get('/license-orders', { token: null })).status).toBe(403)
  })

  it('tells who holds a license now, for a token that reaches it only', async () => {
    const res = await api.get('/license-orders/LIST-A1/holders', { token: productKey })
    expect(res.status, res.text).toBe(200)
    expect(res.body).toMatchObject({ activation_key: 'LIST-A1', allowed: 2, at: server.clock.now().toISOString(), activations: [] })
    expect(res.body.seats.map((s: { client_id: string }) => s.client_id)).toEqual(['client-1', 'client-2'])
    expect((await api.get('/license-orders/LIST-B1/holders', { token: productKey })).status).toBe(403)
    expect((await api.get('/license-orders/NO-SUCH-KEY/holders')).status).toBe(404)
  })

  it('gives the seat report, when asked, each bucket’s peak instant, its holders and the cap', async () => {
    const res = await api.get('/reports/seat-usage?activation_key=LIST-A1&from=2026-11-22T10:00:00Z&to=2026-11-22T11:00:00Z&holders=true')
    expect(res.status, res.text).toBe(200)
    expect(res.body.rows).toEqual([
      {
        start: '2026-11-22T10:00:00.000Z',
        end: '2026-11-22T11:00:00.000Z',
        peak_seats: 2,
        seat_hours: res.body.rows[0].seat_hours,
        grants: 2,
        releases: 0,
        expiries: 0,
        denials: 1,
        peak_at: '2026-11-22T10:01:00.000Z',
        holders: [
          { seat_id: expect.any(String), client_id: 'client-1', machine_id: 'machine-1', client_name: 'Client 1' },
          { seat_id: expect.any(String), client_id: 'client-2', machine_id: 'machine-2', client_name: 'Client 2' },
        ],
        seats_allowed: 2,
      },
    ])
    expect((await api.get('/reports/seat-usage?activation_key=LIST-A1&from=2026-11-22T10:00:00Z&to=2026-11-22T11:00:00Z&holders=yes')).status).toBe(400)
  })
})
