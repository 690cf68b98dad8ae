// POST /v1/license/info with asOf: who held a seat of a license at a past
// instant, folded from the license's own events.
import { beforeAll, describe, expect, it } from 'vitest'
import { babelClient, clientBody } from '../support/babel.js'
import { createCustomer, createTemplate, issueKey, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

const KEY = 'AS-OF-KEY'
const STEP = 30_000 // shorter than the default lease (180 s), so seats stay live without heartbeats

describe('seed 002 info as of an instant', () => {
  const server = useEngine()
  const api = client(server)
  const babel = babelClient(server)
  const instants: Record<string, string> = {}

  beforeAll(async () => {
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api, '1')
    await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: KEY })
    instants.created = server.clock.now().toISOString()
    server.clock.advance(STEP)
    const alice = await babel('request', clientBody(KEY, 'alice'))
    await babel('request', clientBody(KEY, 'bob'))
    server.clock.advance(STEP)
    instants.bothHeld = server.clock.now().toISOString()
    server.clock.advance(STEP)
    await babel('release', { licenseToken: alice.body.licenseToken, machineId: 'machine-alice', clientId: 'client-alice' })
    server.clock.advance(STEP)
    instants.afterRelease = server.clock.now().toISOString()
  })

  const heldBy = (body: { licenseTokens: { clientId: string; revoked: boolean }[] }) =>
    body.licenseTokens.filter((t) => !t.revoked).map((t) => t.clientId).sort()

  it('lists the seats held at that instant, and by whom, without signing tokens for the past', async () => {
    const then = await babel('info', { userKey: KEY, asOf: instants.bothHeld })
    expect(then.status).toBe(200)
    expect(heldBy(then.body)).toEqual(['client-alice', 'client-bob'])
    expect(then.body.activeClientCount).toBe(2)
    expect(then.body.licenseTokens.every((t: { token: string | null }) => t.token === null)).toBe(true)

    const later = await babel('info', { userKey: KEY, asOf: instants.afterRelease })
    expect(heldBy(later.body)).toEqual(['client-bob'])
    const before = await babel('info', { userKey: KEY, asOf: instants.created })
    expect(heldBy(before.body)).toEqual([])
  })

  it('answers now, with tokens, when asOf is absent', async () => {
    const now = await babel('info', { userKey: KEY })
    expect(heldBy(now.body)).toEqual(['client-bob'])
    expect(typeof now.body.licenseTokens[0].token).toBe('string')
  })

  it('answers 404 for an instant before the license existed, and 400 naming asOf when it is not an instant', async () => {
    const early = await babel('info', { userKey: KEY, asOf: '2020-01-01T00:00:00Z' })
    expect(early.status).toBe(404)
    expect(early.body.code).toBe('LICENSE_NOT_FOUND')
    const bad = await babel('info', { userKey: KEY, asOf: 'last tuesday' })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.body)).toContain('asOf')
  })

  it('refuses a key scoped to another product', async () => {
    const other = await issueKey(api, { product_id: 'elsewhere' })
    const res = await babelClient(server, { apiKey: other.token })('info', { userKey: KEY, asOf: instants.bothHeld })
    expect(res.status).toBe(403)
  })
})
