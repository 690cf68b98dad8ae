// Seed 003's meter attributes over real HTTP: defined on the license order
// with their allowed uses, moved by usesIncrement on POST and PATCH, never
// below zero nor above the allowed uses, all of a request or nothing, and
// never overshooting under many concurrent PATCHes.
import { beforeAll, describe, expect, it } from 'vitest'
import { activationBody, cryptlexClient } from '../support/cryptlex.js'
import { createCustomer, createOrder, createTemplate, issueKey, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

describe('meter attributes (seed 003) over HTTP', () => {
  const server = useEngine()
  const api = client(server)
  const cryptlex = cryptlexClient(server)
  let customerId: number
  let templateId: number

  beforeAll(async () => {
    customerId = await createCustomer(api)
    templateId = await createTemplate(api, '1')
    await createTemplate(api, 'other-product', 'Other')
  })

  const license = async (key: string, meters: { name: string; allowed_uses: number }[]): Promise<string> => {
    await createOrder(api, { ...seedOrder(customerId, templateId), activation_key: key, activations_allowed: 50, deactivations_allowed: null })
    const defined = await api.put(`/license-orders/${key}/meter-attributes`, meters)
    expect(defined.status, defined.text).toBe(200)
    return key
  }
  const activate = async (key: string, n: number, extra: Record<string, unknown> = {}): Promise<string> => {
    const res = await cryptlex.activate(activationBody(key, n, extra))
    expect(res.status, res.text).toBe(200)
    return res.headers.get('location')!.split('/').pop()!
  }
  const increment = (key: string, id: string, n: number, meterAttributes: unknown[], extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
    cryptlex.update(id, { ...activationBody(key, n), meterAttributes, ...extra }, headers)
  const licenseMeters = async (key: string) => (await api.get(`/license-orders/${key}/meter-attributes`)).body
  const activationMeters = async (id: string) => (await cryptlex.get(id)).body.meterAttributes

  describe('definitions', () => {
    it('defines the attributes with their allowed uses and shows the uses counted', async () => {
      const key = await license('METER-DEFINE', [{ name: 'exports', allowed_uses: 10 }])
      expect(await licenseMeters(key)).toEqual([{ name: 'exports', allowed_uses: 10, uses: 0 }])
      const changed = await api.put(`/license-orders/${key}/meter-attributes`, [{ name: 'exports', allowed_uses: 20 }, { name: 'runs', allowed_uses: 0 }])
      expect(changed.body).toEqual([
        { name: 'exports', allowed_uses: 20, uses: 0 },
        { name: 'runs', allowed_uses: 0, uses: 0 },
      ])
    })

    it('refuses invalid definitions with 400 naming the field, and answers for the key and the token as seed 001 does', async () => {
      const key = await license('METER-INVALID', [])
      const twice = await api.put(`/license-orders/${key}/meter-attributes`, [{ name: 'a', allowed_uses: 1 }, { name: 'a', allowed_uses: 2 }])
      expect(twice.status).toBe(400)
      expect(twice.body).toEqual({ detail: 'Invalid data.', errors: { '[1].name': ['is listed twice'] } })
      const negative = await api.put(`/license-orders/${key}/meter-attributes`, [{ name: 'a', allowed_uses: -1 }])
      expect(negative.body.errors).toEqual({ '[0].allowed_uses': ['must be at least 0'] })
      expect((await api.put(`/license-orders/${key}/meter-attributes`, { name: 'a' })).status).toBe(400)
      expect((await api.put('/license-orders/NO-SUCH-ORDER/meter-attributes', [])).status).toBe(404)
      expect((await api.get(`/license-orders/${key}/meter-attributes`, { token: null })).status).toBe(403)
      const otherProduct = (await issueKey(api, { product_id: 'other-product' })).token
      expect((await api.put(`/license-orders/${key}/meter-attributes`, [], { token: otherProduct })).status).toBe(403)
      const sameProduct = (await issueKey(api, { product_id: '1' })).token
      expect((await api.put(`/license-orders/${key}/meter-attributes`, [{ name: 'a', allowed_uses: 3 }], { token: sameProduct })).status).toBe(200)
    })
  })

  describe('uses', () => {
    it('moves the counters by positive and negative increments, on the activation and on the license', async () => {
      const key = await license('METER-MOVE', [{ name: 'exports', allowed_uses: 10 }, { name: 'runs', allowed_uses: 100 }])
      const id = await activate(key, 1, { meterAttributes: [{ name: 'runs', usesIncrement: 5 }] })
      expect(await activationMeters(id)).toEqual([{ name: 'runs', uses: 5 }])
      const res = await increment(key, id, 1, [{ name: 'exports', usesIncrement: 4 }, { name: 'runs', usesIncrement: -2 }])
      expect(res.status, res.text).toBe(200)
      expect(await activationMeters(id)).toEqual([{ name: 'runs', uses: 3 }, { name: 'exports', uses: 4 }])
      expect(await licenseMeters(key)).toEqual([
        { name: 'exports', allowed_uses: 10, uses: 4 },
        { name: 'runs', allowed_uses: 100, uses: 3 },
      ])
      // Deactivating the machine does not give its uses back.
      expect((await cryptlex.deactivate(id)).status).toBe(204)
      expect((await licenseMeters(key))[0]).toEqual({ name: 'exports', allowed_uses: 10, uses: 4 })
    })

    it('refuses going below zero or above the allowed uses (400, as Cryptlex), naming the item, and applies nothing of such a request', async () => {
      const key = await license('METER-BOUNDS', [{ name: 'exports', allowed_uses: 5 }, { name: 'runs', allowed_uses: 5 }])
      const id = await activate(key, 1)
      expect((await increment(key, id, 1, [{ name: 'exports', usesIncrement: 5 }])).status).toBe(200)

      const above = await increment(key, id, 1, [{ name: 'runs', usesIncrement: 1 }, { name: 'exports', usesIncrement: 1 }], { hostname: 'changed' })
      expect(above.status).toBe(400)
      expect(above.body).toEqual({
        code: 'METER_ATTRIBUTE_USES_LIMIT_REACHED',
        message: 'meterAttributes[1].usesIncrement would take the uses of exports above the 5 allowed.',
      })
      const below = await increment(key, id, 1, [{ name: 'runs', usesIncrement: -1 }])
      expect(below.status).toBe(400)
      expect(below.body).toEqual({ code: 'METER_ATTRIBUTE_USES_BELOW_ZERO', message: 'meterAttributes[0].usesIncrement would take the uses of runs below zero.' })
      const undefinedName = await increment(key, id, 1, [{ name: 'runs', usesIncrement: 1 }, { name: 'prints', usesIncrement: 1 }])
      expect(undefinedName.status).toBe(400)
      expect(undefinedName.body).toEqual({ code: 'METER_ATTRIBUTE_NOT_FOUND', message: 'meterAttributes[1].name names no meter attribute of this license (prints).' })
      // A refused new activation is not made either.
      const refusedNew = await cryptlex.activate(activationBody(key, 2, { meterAttributes: [{ name: 'exports', usesIncrement: 1 }] }))
      expect(refusedNew.status).toBe(400)

      expect(await licenseMeters(key)).toEqual([
        { name: 'exports', allowed_uses: 5, uses: 5 },
        { name: 'runs', allowed_uses: 5, uses: 0 },
      ])
      expect((await cryptlex.get(id)).body).toMatchObject({ hostname: 'host-1', meterAttributes: [{ name: 'exports', uses: 5 }] })
      expect((await client(server).post('/v1/license/info', { userKey: key })).body.activeClientCount).toBe(1)
    })

    it('applies an increment sent again with the same Idempotency-Key once', async () => {
      const key = await license('METER-IDEMPOTENT', [{ name: 'exports', allowed_uses: 10 }])
      const id = await activate(key, 1)
      for (let i = 0; i < 3; i += 1) {
        expect((await increment(key, id, 1, [{ name: 'exports', usesIncrement: 2 }], {}, { 'idempotency-key': 'sync-1' })).status).toBe(200)
      }
      expect((await licenseMeters(key))[0].uses).toBe(2)
    })

    it('never overshoots the allowed uses under many concurrent PATCHes from several machines', async () => {
      const allowed = 15
      const key = await license('METER-RACE', [{ name: 'exports', allowed_uses: allowed }])
      const ids = [await activate(key, 1), await activate(key, 2)]
      const attempts = Array.from({ length: 40 }, (_, i) => increment(key, ids[i % 2]!, (i % 2) + 1, [{ name: 'exports', usesIncrement: 1 }]))
      const statuses = (await Promise.all(attempts)).map((r) => r.status)
      expect(statuses.filter((s) => s === 200)).toHaveLength(allowed)
      expect(statuses.filter((s) => s === 400)).toHaveLength(40 - allowed)
      expect((await licenseMeters(key))[0]).toEqual({ name: 'exports', allowed_uses: allowed, uses: allowed })
      const perMachine = await Promise.all(ids.map(async (id) => (await activationMeters(id))[0]?.uses ?? 0))
      expect(perMachine[0]! + perMachine[1]!).toBe(allowed)
    })
  })
})
