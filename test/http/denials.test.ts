// "Why was I denied?" over real HTTP: a refused seat request (seed 002's
// granted: false) carries a denial id and the rule; the license's denials
// resolve it to the rule, the revision it was decided on, and who held the
// places at that moment, as the log says.
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { replayCommand } from '../../src/tools/replay.js'
import { babelClient, clientBody, createLicense, eventsOfType, tokenId } from '../support/babel.js'
import { activationBody, cryptlexClient, fingerprintOf, verifyActivationToken } from '../support/cryptlex.js'
import { useEngine } from '../support/engine.js'
import { createCustomer, createTemplate, issueKey } from '../support/fixtures.js'
import { client } from '../support/server.js'

describe('denials', () => {
  const server = useEngine()
  const api = client(server)
  const babel = babelClient(server)
  let key: string
  const tokens: Record<number, string> = {}

  beforeAll(async () => {
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api, '1')
    ;({ key } = await createLicense(api, babel, customerId, templateId, 'DENIED-1', { activations_allowed: 2 }))
    for (const n of [1, 2]) tokens[n] = (await babel('request', clientBody(key, n))).body.licenseToken as string
  })

  it('answers a refused request with a denial id and the rule, which the denials resolve to the holders then', async () => {
    server.clock.advance(5_000)
    const refused = await babel('request', clientBody(key, 3))
    expect(refused.status).toBe(200)
    expect(refused.body).toMatchObject({ granted: false, licenseToken: null, rule: 'activations_allowed', denialId: expect.any(String) })
    const res = await api.get(`/license-orders/${key}/denials/${refused.body.denialId}`)
    expect(res.status, res.text).toBe(200)
    expect(res.body).toEqual({
      denial_id: refused.body.denialId,
      asked: 'seat',
      at: server.clock.now().toISOString(),
      client_id: 'client-3',
      machine_id: 'machine-3',
      client_name: 'Client 3',
      rule: 'activations_allowed',
      places_taken: 2,
      places_allowed: 2,
      decided_on_revision: res.body.revision - 1,
      revision: expect.any(Number),
      position: expect.stringMatching(/^\d+$/),
      held_by: [1, 2].map((n) => ({
        kind: 'seat',
        id: tokenId(tokens[n]!),
        client_id: `client-${n}`,
        machine_id: `machine-${n}`,
        client_name: `Client ${n}`,
        since: '2026-11-22T10:00:00.000Z',
        lease_expires_at: '2026-11-22T10:03:00.000Z',
      })),
    })
  })

  it('answers the same client refused again within the minute with the same denial (nothing new recorded), and a later one with a new one', async () => {
    const first = (await api.get(`/license-orders/${key}/denials`)).body.items[0].denial_id as string
    server.clock.advance(10_000)
    expect((await babel('request', clientBody(key, 3))).body.denialId).toBe(first)
    expect((await api.get(`/license-orders/${key}/denials`)).body.items).toHaveLength(1)
    server.clock.advance(60_000)
    const later = await babel('request', clientBody(key, 3))
    expect(later.body.denialId).not.toBe(first)
    const items = (await api.get(`/license-orders/${key}/denials`)).body.items as { denial_id: string }[]
    expect(items.map((d) => d.denial_id)).toEqual([later.body.denialId, first])
  })

  it('shows the holders of that moment, not of now: after a release, a later denial names the new holder', async () => {
    expect((await babel('release', { licenseToken: tokens[1] })).status).toBe(200)
    const granted = await babel('request', clientBody(key, 3))
    expect(granted.body.granted).toBe(true)
    expect(granted.body.denialId).toBeUndefined()
    const refused = await babel('request', clientBody(key, 4))
    const denial = (await api.get(`/license-orders/${key}/denials/${refused.body.denialId}`)).body
    expect(denial.held_by.map((h: { client_id: string }) => h.client_id)).toEqual(['client-2', 'client-3'])
    const first = (await api.get(`/license-orders/${key}/denials`)).body.items.at(-1)
    expect(first.held_by.map((h: { client_id: string }) => h.client_id)).toEqual(['client-1', 'client-2'])
  })

  it('answers an unknown denial 404, and a key scoped elsewhere 403, in seed 001’s envelope', async () => {
    const unknown = await api.get(`/license-orders/${key}/denials/no-such-denial`)
    expect(unknown.status).toBe(404)
    expect(unknown.body).toEqual({ detail: 'This license has no denial with this id.' })
    const elsewhere = await issueKey(api, { product_id: 'another-product' })
    expect((await api.get(`/license-orders/${key}/denials`, { token: elsewhere.token })).status).toBe(403)
  })
})

describe('answers that refuse name the rule', () => {
  const server = useEngine()
  const api = client(server)
  const babel = babelClient(server)

  it("seed 002's validate and its errors, and seed 003's limit error", async () => {
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api, '1')
    const { key } = await createLicense(api, babel, customerId, templateId, 'RULES-1', { activations_allowed: 1, enabled: false })
    const validate = await babel('validate', clientBody(key, 1))
    expect(validate.body).toMatchObject({ success: false, code: 'DISABLED', rule: 'enabled' })
    const refused = await babel('request', clientBody(key, 1))
    expect(refused.status).toBe(403)
    expect(refused.body).toMatchObject({ code: 'LICENSE_DISABLED', rule: 'enabled' })
  })
})

describe('activation denials', () => {
  const server = useEngine()
  const api = client(server)
  const babel = babelClient(server)
  const cryptlex = cryptlexClient(server)
  let customerId: number
  let templateId: number

  beforeAll(async () => {
    customerId = await createCustomer(api)
    templateId = await createTemplate(api, '1')
  })

  it("answers seed 002's refused activate (success: false) with a denial id and the rule, which resolves to the activation and the seat held then", async () => {
    const { key, orderId } = await createLicense(api, babel, customerId, templateId, 'DENIED-ACT-1', { activations_allowed: 2 })
    const activation = (await babel('activate', clientBody(key, 1))).body.licenseToken as string
    const seat = (await babel('request', clientBody(key, 2))).body.licenseToken as string
    server.clock.advance(5_000)
    const refused = await babel('activate', clientBody(key, 3))
    expect(refused.status).toBe(200)
    expect(refused.body).toMatchObject({ success: false, licenseToken: null, activeClientCount: 2, maxClientCount: 2, rule: 'activations_allowed', denialId: expect.any(String) })
    const res = await api.get(`/license-orders/${key}/denials/${refused.body.denialId}`)
    expect(res.status, res.text).toBe(200)
    expect(res.body).toEqual({
      denial_id: refused.body.denialId,
      asked: 'activation',
      at: server.clock.now().toISOString(),
      client_id: 'client-3',
      machine_id: 'machine-3',
      client_name: 'Client 3',
      rule: 'activations_allowed',
      places_taken: 2,
      places_allowed: 2,
      decided_on_revision: res.body.revision - 1,
      revision: expect.any(Number),
      position: expect.stringMatching(/^\d+$/),
      held_by: [
        { kind: 'activation', id: tokenId(activation), client_id: 'client-1', machine_id: 'machine-1', client_name: 'Client 1', since: '2026-11-22T10:00:00.000Z', lease_expires_at: null },
        { kind: 'seat', id: tokenId(seat), client_id: 'client-2', machine_id: 'machine-2', client_name: 'Client 2', since: '2026-11-22T10:00:00.000Z', lease_expires_at: '2026-11-22T10:03:00.000Z' },
      ],
    })
    // The log holds the fact, with the rule and the revision it was decided on.
    const [denied] = await eventsOfType(server, orderId, 'ActivationDenied')
    expect(denied?.data).toMatchObject({ denialId: refused.body.denialId, rule: 'activations_allowed', decidedOnRevision: res.body.revision - 1 })
  })

  it('answers the same machine refused again within the minute with the same denial (nothing new recorded), and a later one with a new one', async () => {
    const { key } = await createLicense(api, babel, customerId, templateId, 'DENIED-ACT-2', { activations_allowed: 1 })
    expect((await babel('activate', clientBody(key, 1))).body.success).toBe(true)
    const first = (await babel('activate', clientBody(key, 2))).body.denialId as string
    server.clock.advance(30_000)
    expect((await babel('activate', clientBody(key, 2))).body.denialId).toBe(first)
    expect((await api.get(`/license-orders/${key}/denials`)).body.items).toHaveLength(1)
    server.clock.advance(31_000)
    const later = (await babel('activate', clientBody(key, 2))).body.denialId as string
    expect(later).not.toBe(first)
    const items = (await api.get(`/license-orders/${key}/denials`)).body.items as { denial_id: string; asked: string }[]
    expect(items.map((d) => [d.denial_id, d.asked])).toEqual([[later, 'activation'], [first, 'activation']])
  })

  it("sends seed 003's ACTIVATION_LIMIT_REACHED with X-Denial-Id, which resolves to the rule and the activation held then; the body stays Cryptlex's", async () => {
    const { key } = await createLicense(api, babel, customerId, templateId, 'DENIED-ACT-3', { activations_allowed: 1 })
    const held = await cryptlex.activate(activationBody(key, 1))
    expect(held.status, held.text).toBe(200)
    const heldId = String((await verifyActivationToken(server, held.body.activationToken)).aid)
    const full = await cryptlex.activate(activationBody(key, 2))
    expect([full.status, full.body]).toEqual([400, { code: 'ACTIVATION_LIMIT_REACHED', message: 'All 1 activations of the license are in use.' }])
    expect(full.headers.get('x-denial-rule')).toBe('activations_allowed')
    const denialId = full.headers.get('x-denial-id')
    expect(denialId).toEqual(expect.any(String))
    // Asked again within the minute: the same denial.
    expect((await cryptlex.activate(activationBody(key, 2))).headers.get('x-denial-id')).toBe(denialId)
    const res = await api.get(`/license-orders/${key}/denials/${denialId}`)
    expect(res.status, res.text).toBe(200)
    expect(res.body).toMatchObject({
      denial_id: denialId,
      asked: 'activation',
      client_id: '1',
      machine_id: fingerprintOf(2),
      client_name: 'host-2',
      rule: 'activations_allowed',
      places_taken: 1,
      places_allowed: 1,
      held_by: [{ kind: 'activation', id: heldId, client_id: '1', machine_id: fingerprintOf(1), client_name: 'host-1', lease_expires_at: null }],
    })
  })

  it('leaves the read models as they were (counts, seat usage), and replays the denials into read models that match the live ones', async () => {
    const { key } = await createLicense(api, babel, customerId, templateId, 'DENIED-ACT-4', { activations_allowed: 1 })
    expect((await babel('activate', clientBody(key, 1))).body.success).toBe(true)
    expect((await babel('activate', clientBody(key, 2))).body.success).toBe(false)
    expect((await api.get(`/license-orders/${key}`)).body).toMatchObject({ activated_licenses_count: 1 })
    expect((await babel('info', { userKey: key })).body).toMatchObject({ activeClientCount: 1, maxClientCount: 1 })
    const out: string[] = []
    const code = await replayCommand(['--verify', '--into', join(server.dir.path, 'replayed')], { LICENSING_DATA_DIR: server.dir.path }, {
      out: (text) => out.push(text),
      err: (text) => out.push(text),
    })
    expect(code, out.join('')).toBe(0)
  })
})
