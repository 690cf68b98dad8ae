// Seed 003 end to end as Cryptlex's own sample client speaks it
// (test/support/lex-client.ts): no vendor credential anywhere, PascalCase
// bodies, the activation token verified offline with the product's RSA public
// key that the vendor reads from the admin API, the sample's checks of key
// and pid. It activates, validates offline, syncs with meter increments and
// deactivates; and it reads the engine's refusals as the sample reads them.
import { createPublicKey } from 'node:crypto'
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { createCustomer, createOrder, createTemplate, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { createLexClient, type LexMachine } from '../support/lex-client.js'
import { client } from '../support/server.js'

/** The sample checks that a product id is a GUID before it calls. */
const PRODUCT_ID = '5f2d8c1e-3b7a-4c9d-8e6f-0a1b2c3d4e5f'
const machine = (n: number): LexMachine => ({ fingerprint: `sample-fp-${n}-`.padEnd(64, '0'), hostname: `desk-${n}`, os: 'windows' })

describe('a Cryptlex sample-style client against seed 003', () => {
  const server = useEngine()
  const api = client(server)
  let customerId: number
  let templateId: number
  let publicKeyPem: string

  beforeAll(async () => {
    customerId = await createCustomer(api)
    templateId = await createTemplate(api, PRODUCT_ID, 'Sample product')
    const key = await api.get(`/products/${PRODUCT_ID}/activation-key`)
    expect(key.status, key.text).toBe(200)
    publicKeyPem = key.body.public_key_pem
  })

  const app = () => ({ baseUrl: server.url, productId: PRODUCT_ID, publicKeyPem, now: () => server.clock.now() })
  const license = async (key: string, change: Record<string, unknown> = {}): Promise<string> =>
    createOrder(api, { ...seedOrder(customerId, templateId), activation_key: key, ...change })

  it("gives the vendor the product's public key as PEM and JWK, the same on every read, and it verifies the tokens", async () => {
    const first = await api.get(`/products/${PRODUCT_ID}/activation-key`)
    const again = await api.get(`/products/${PRODUCT_ID}/activation-key`)
    expect(again.body).toEqual(first.body)
    expect(first.body).toMatchObject({ product_id: PRODUCT_ID, alg: 'RS256', jwk: { kty: 'RSA', alg: 'RS256', use: 'sig', kid: first.body.kid } })
    expect(first.body.public_key_pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
    expect(createPublicKey(first.body.public_key_pem).asymmetricKeyDetails?.modulusLength).toBe(2048)
    // The JWK is the PEM's key.
    expect(createPublicKey({ key: first.body.jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' })).toBe(first.body.public_key_pem)
    // Without a credential, or for a product no template names: refused.
    expect((await api.get(`/products/${PRODUCT_ID}/activation-key`, { token: null })).status).toBe(401)
    expect((await api.get('/products/no-such-product/activation-key')).status).toBe(404)

    const key = await license('SAMPLE-JWK')
    const lex = createLexClient(app(), machine(9))
    expect(await lex.activate(key)).toBe('LA_OK')
    const jwt = lex.stored()!.jwt
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'RS256', kid: first.body.kid, typ: 'JWT' })
    await expect(jwtVerify(jwt, await importJWK(first.body.jwk, 'RS256'))).resolves.toBeDefined()
  })

  it('activates, validates offline, syncs with meter increments, and deactivates, never sending a credential', async () => {
    const key = await license('SAMPLE-FLOW', { activations_allowed: 2 })
    expect((await api.put(`/license-orders/${key}/meter-attributes`, [{ name: 'exports', allowed_uses: 10 }])).status).toBe(200)
    const lex = createLexClient(app(), machine(1))

    expect(await lex.activate(key)).toBe('LA_OK')
    const activated = lex.stored()!.payload
    const now = Math.floor(server.clock.now().getTime() / 1000)
    expect(activated).toMatchObject({
      key,
      pid: PRODUCT_ID,
      fp: machine(1).fingerprint,
      os: 'windows',
      type: 'node-locked',
      suspended: false,
      iat: now,
      eat: now + 90 * 86400,
      amd: [{ key: 'seat', value: 'desk 4' }],
      lma: [{ name: 'exports', allowedUses: 10, totalUses: 0 }],
      ama: [],
      pmd: [],
      lmd: [],
      umd: [],
    })
    expect(typeof activated.aid).toBe('string')
    expect(typeof activated.lid).toBe('string')

    // Offline, a day later: the stored token still validates; an altered one does not.
    server.clock.advance(86_400_000)
    expect(await lex.validateOffline(key)).toBe('LA_OK')
    expect(await lex.validateOffline('ANOTHER-KEY')).toBe('LA_FAIL')

    // A sync: PATCH of the same activation, with meter uses.
    expect(await lex.sync(key, [{ name: 'exports', usesIncrement: 3 }])).toBe('LA_OK')
    const synced = lex.stored()!.payload
    expect(synced.aid).toBe(activated.aid)
    expect(synced).toMatchObject({ ama: [{ name: 'exports', uses: 3 }], lma: [{ name: 'exports', allowedUses: 10, totalUses: 3 }], iat: now + 86400 })
    expect(await lex.sync(key, [{ name: 'exports', usesIncrement: 8 }])).toBe('LA_E_METER_ATTRIBUTE_USES_LIMIT_REACHED')
    expect(await lex.sync(key, [{ name: 'exports', usesIncrement: -1 }])).toBe('LA_OK')
    expect(lex.stored()!.payload.ama).toEqual([{ name: 'exports', uses: 2 }])

    // Deactivated: a later sync finds no activation (404), and the client drops what it stored.
    const aid = String(activated.aid)
    expect(await lex.deactivate()).toBe('LA_OK')
    expect((await api.get(`/v3/activations/${aid}`)).status).toBe(404)
    expect((await api.get(`/license-orders/${key}`)).body).toMatchObject({ activated_licenses_count: 0 })

    expect(lex.requests().map((r) => r.method)).toEqual(['POST', 'PATCH', 'PATCH', 'PATCH', 'DELETE'])
    for (const request of lex.requests()) expect(request.headers.get('authorization')).toBeNull()
  })

  it("reads the engine's refusals as the sample reads them", async () => {
    const key = await license('SAMPLE-REFUSED', { activations_allowed: 1, deactivations_allowed: 1 })
    const first = createLexClient(app(), machine(1))
    expect(await first.activate('NO-SUCH-SAMPLE-KEY')).toBe('LA_E_LICENSE_KEY')
    expect(await createLexClient({ ...app(), productId: 'aaaaaaaa-0000-4000-8000-000000000000' }, machine(1)).activate(key)).toBe('LA_E_PRODUCT_ID')
    expect(await first.activate(key)).toBe('LA_OK')
    expect(await createLexClient(app(), machine(2)).activate(key)).toBe('LA_E_ACTIVATION_LIMIT')
    // The same machine again: the same activation.
    const again = createLexClient(app(), machine(1))
    expect(await again.activate(key)).toBe('LA_OK')
    expect(again.stored()!.payload.aid).toBe(first.stored()!.payload.aid)
    expect(await first.deactivate()).toBe('LA_OK')
    expect(await again.sync(key)).toBe('LA_E_ACTIVATION_NOT_FOUND')
    expect(again.stored()).toBeNull()
    const second = createLexClient(app(), machine(2))
    expect(await second.activate(key)).toBe('LA_OK')
    expect(await second.deactivate()).toBe('LA_E_DEACTIVATION_LIMIT')

    const disabled = await license('SAMPLE-DISABLED', { enabled: false })
    expect(await createLexClient(app(), machine(3)).activate(disabled)).toBe('LA_E_REVOKED')
  })

  it('never answers 500 nor logs a server error across these tests', () => {
    expect(server.logs.filter((line) => (line.level as number) >= 50)).toEqual([])
  })
})
