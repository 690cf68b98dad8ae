// Seed 004 (softWORKZ software_DNA, "Licenses Update") over real HTTP: every
// status of the seed's table, the order of the checks, and that a refused
// request changes nothing.
import { beforeAll, describe, expect, it } from 'vitest'
import { licensesUpdate, freshIp, type BasicCredential } from '../support/dna.js'
import { issueKey, setUpLicense } from '../support/fixtures.js'
import { useEngine, useEngines } from '../support/engine.js'
import { ADMIN_TOKEN, client, type Client, type TestServer, type TestServerOptions } from '../support/server.js'

const PRODUCT = 'P1001'
const KEY = 'TEST12345'
const OTHER_PRODUCT = 'P2002'
const OTHER_KEY = 'OTHER-0001'

const SEED = {
  400: 'One of the parameters was invalid or missing.',
  403: 'Feature Data option is not enabled for this Product - License was not updated.',
  409: 'A Test Event for an ACTIVE Product was received successfully - the License was not updated as Product is ACTIVE.',
  429: 'You have exceeded the allowed maximum of API Requests in the period - check "X-RateLimit-Reset" for the number of seconds remaining before reset.',
}

/** The events of the license order holding `key`. */
const historyOf = async (server: TestServer, key: string) => {
  const [reserved] = await server.running.store.readStream(`activationKey-${key}`)
  return server.running.store.readStream(`order-${(reserved!.data as { orderId: string }).orderId}`)
}

/** The engine's options here: seed 004's end users' addresses come through a proxy. */
const options = (given: TestServerOptions): TestServerOptions => ({ ...given, config: { trustProxy: true, ...given.config } })

interface Seed004 {
  readonly admin: BasicCredential
  readonly update: ReturnType<typeof licensesUpdate>
}

/** A license of PRODUCT (in test, with license data) and one of OTHER_PRODUCT (the defaults: active, no license data). */
const setUpSeed004 = async (api: Client): Promise<Seed004> => {
  await setUpLicense(api, KEY, PRODUCT)
  await setUpLicense(api, OTHER_KEY, OTHER_PRODUCT)
  expect((await api.put(`/products/${PRODUCT}`, { status: 'test', license_data_enabled: true })).status).toBe(200)
  const key = await issueKey(api, 'admin')
  const admin = { clientId: key.id, apiKey: key.token }
  return { admin, update: licensesUpdate(api, admin) }
}

describe('PATCH /v1/Licenses/{productId}/{licenseId} (seed 004)', () => {
  // The lockout is tested below, on a server of its own; here it must not get in the way.
  const server = useEngine(options({ config: { lockout: { maxAttempts: 1000, windowSeconds: 60, cooldownSeconds: 300 } } }))
  const api = client(server)
  let admin: BasicCredential
  let update: ReturnType<typeof licensesUpdate>

  beforeAll(async () => {
    ;({ admin, update } = await setUpSeed004(api))
  })

  describe('204', () => {
    it('changes e-mail and data together, answers without a body, and records who, from where and for which end user', async () => {
      const before = await historyOf(server, KEY)
      const res = await update(PRODUCT, KEY, { NewEmail: 'first@example.com', NewLicenseData: 'seats=5', UserIp: '203.0.113.10' }, { from: '198.51.100.7' })
      expect(res.status).toBe(204)
      expect(res.text).toBe('')

      const written = (await historyOf(server, KEY)).slice(before.length)
      expect(written.map((e) => [e.type, e.data])).toEqual([
        ['LicenseDataChanged', { orderId: expect.any(String), from: null, to: 'seats=5', userIp: '203.0.113.10', test: false, at: '2026-11-22T10:00:00.000Z' }],
        [
          'LicenseEmailChanged',
          { orderId: expect.any(String), from: null, to: 'first@example.com', userIp: '203.0.113.10', sendNotice: true, test: false, at: '2026-11-22T10:00:00.000Z' },
        ],
      ])
      // One request, one append: consecutive revisions under one request id.
      expect(written[1]!.revision).toBe(written[0]!.revision + 1)
      for (const event of written) expect(event.metadata).toMatchObject({ actor: admin.clientId, clientIp: '198.51.100.7', requestId: res.headers.get('x-request-id') })
    })

    it("accepts the seed's curl spelling: /v1/licenses, the JSON body sent form-encoded (-d), UserIp 0.0.0.0", async () => {
      const res = await update(PRODUCT, KEY, undefined, {
        path: `/v1/licenses/${PRODUCT}/${KEY}`,
        raw: JSON.stringify({ NewEmail: 'curl@softworkz.com', UserIp: '0.0.0.0', SendDnaEmail: false }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      })
      expect(res.status).toBe(204)
      const last = (await historyOf(server, KEY)).at(-1)!
      expect(last.data).toMatchObject({ from: 'first@example.com', to: 'curl@softworkz.com', userIp: '0.0.0.0', sendNotice: false })
    })

    it('changes nothing, and records nothing, when the license already has the e-mail and data sent', async () => {
      await update(PRODUCT, KEY, { NewEmail: 'same@example.com', NewLicenseData: 'same', UserIp: '203.0.113.10' })
      const before = await historyOf(server, KEY)
      const res = await update(PRODUCT, KEY, { NewEmail: 'same@example.com', NewLicenseData: 'same', UserIp: '203.0.113.10' })
      expect(res.status).toBe(204)
      expect(await historyOf(server, KEY)).toHaveLength(before.length)
    })

    it('accepts the admin token as the Basic password, whatever the client id', async () => {
      const res = await update(PRODUCT, KEY, { NewLicenseData: 'by admin token', UserIp: '203.0.113.10' }, { credential: { clientId: 'anything', apiKey: ADMIN_TOKEN } })
      expect(res.status).toBe(204)
    })

    it('answers a retry with the same Idempotency-Key with the first reply, changing nothing again', async () => {
      const body = { NewLicenseData: 'idempotent', UserIp: '203.0.113.10' }
      const first = await update(PRODUCT, KEY, body, { headers: { 'idempotency-key': 'seed-004-retry' } })
      const after = await historyOf(server, KEY)
      const again = await update(PRODUCT, KEY, body, { headers: { 'idempotency-key': 'seed-004-retry' } })
      expect([first.status, again.status]).toEqual([204, 204])
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      expect(again.text).toBe('')
      expect(await historyOf(server, KEY)).toEqual(after)
      expect(after.at(-1)!.metadata).toMatchObject({ idempotencyKey: 'seed-004-retry' })
    })

    it('applies a test event to a product in test, and records it as a test event', async () => {
      const res = await update(PRODUCT, KEY, { NewEmail: 'tester@example.com', UserIp: '203.0.113.10', Test: true })
      expect(res.status).toBe(204)
      expect((await historyOf(server, KEY)).at(-1)!.data).toMatchObject({ to: 'tester@example.com', test: true })
    })
  })

  describe('400', () => {
    const valid = { NewEmail: 'valid@example.com', UserIp: '203.0.113.20' }
    it.each([
      ['a missing UserIp', { NewEmail: 'valid@example.com' }, 'UserIp is required'],
      ['a UserIp that is no address', { ...valid, UserIp: '999.1.1.1' }, 'Invalid UserIp: must be an IPv4 or IPv6 address'],
      ['an invalid NewEmail', { ...valid, NewEmail: 'not-an-email' }, 'Invalid NewEmail: must be an e-mail address'],
      ['NewLicenseData over 200 characters', { ...valid, NewLicenseData: 'x'.repeat(201) }, 'Invalid NewLicenseData: must have at most 200 characters'],
      ['NewLicenseData that is not a string', { ...valid, NewLicenseData: null }, 'Invalid NewLicenseData: must be a string'],
      ['a Test that is no boolean', { ...valid, Test: 'yes' }, 'Invalid Test: must be true or false'],
      ['a SendDnaEmail that is no boolean', { ...valid, SendDnaEmail: 1 }, 'Invalid SendDnaEmail: must be true or false'],
      ['neither NewEmail nor NewLicenseData', { UserIp: '203.0.113.20', Test: false }, 'NewEmail or NewLicenseData is required'],
      ['two invalid parameters', { NewEmail: 'nope', UserIp: 'nope' }, 'Invalid UserIp: must be an IPv4 or IPv6 address; Invalid NewEmail: must be an e-mail address'],
      ['a body that is not an object', [valid], 'The request body must be a JSON object with UserIp and NewEmail and/or NewLicenseData'],
    ])('answers %s with 400 naming the parameter, and changes nothing', async (_case, body, message) => {
      const before = await historyOf(server, KEY)
      const res = await update(PRODUCT, KEY, body)
      expect(res.status).toBe(400)
      expect(res.body).toEqual({ Message: message })
      expect(await historyOf(server, KEY)).toEqual(before)
    })

    it('changes nothing when one field is valid and another is not', async () => {
      const before = await historyOf(server, KEY)
      const res = await update(PRODUCT, KEY, { NewEmail: 'would-change@example.com', NewLicenseData: 'y'.repeat(201), UserIp: '203.0.113.20' })
      expect(res.status).toBe(400)
      expect(res.body.Message).toMatch(/NewLicenseData/)
      expect(await historyOf(server, KEY)).toEqual(before)
    })

    it('answers a malformed ProductId or LicenseId with 400 in the words of the seed', async () => {
      expect((await update('p'.repeat(65), KEY, valid)).body).toEqual({ Message: 'Invalid ProductId format' })
      expect((await update(PRODUCT, 'not a key!', valid)).body).toEqual({ Message: 'Invalid LicenseId format' })
    })

    it('answers malformed JSON and an oversized body in the envelope, without a stack trace', async () => {
      const malformed = await update(PRODUCT, KEY, undefined, { raw: '{"NewEmail": "a@b.c",', headers: { 'content-type': 'application/json' } })
      expect(malformed.status).toBe(400)
      expect(malformed.body).toEqual({ Message: 'The request body is not valid JSON.' })
      const huge = await update(PRODUCT, KEY, { ...valid, padding: 'x'.repeat(20_000) })
      expect(huge.status).toBe(413)
      expect(Object.keys(huge.body)).toEqual(['Message'])
      const empty = await update(PRODUCT, KEY, undefined)
      expect(empty.status).toBe(400)
      for (const res of [malformed, huge, empty]) expect(res.text).not.toMatch(/at .*\.ts:\d+/)
    })
  })

  describe('401', () => {
    const body = { NewEmail: 'intruder@example.com', UserIp: '203.0.113.30' }
    it('answers missing, wrong or mismatched credentials with 401 and changes nothing', async () => {
      const before = await historyOf(server, KEY)
      const revoked = await issueKey(api, 'admin')
      expect((await api.delete(`/api-keys/${revoked.id}`)).status).toBe(200)
      const attempts = [
        await update(PRODUCT, KEY, body, { credential: null }),
        await update(PRODUCT, KEY, body, { credential: { clientId: admin.clientId, apiKey: 'lk_aaaaaaaaaaaaaaaa_wrong' } }),
        await update(PRODUCT, KEY, body, { credential: { clientId: 'someone-else', apiKey: admin.apiKey } }),
        await update(PRODUCT, KEY, body, { credential: { clientId: revoked.id, apiKey: revoked.token } }),
        await update(PRODUCT, KEY, body, { credential: null, headers: { authorization: `Bearer ${admin.apiKey}` } }),
      ]
      for (const res of attempts) {
        expect(res.status).toBe(401)
        expect(res.body.Message).toMatch(/^Basic Authentication failed/)
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic/)
      }
      // A revoked key hears what an unknown one hears: whether a key once worked is not told (the log says why).
      expect(attempts[3]!.body).toEqual(attempts[1]!.body)
      expect(attempts[3]!.body.Message).not.toMatch(/revoked/)
      expect(await historyOf(server, KEY)).toEqual(before)
    })

    it('checks credentials before parameters: bad credentials with a bad body are 401', async () => {
      const res = await update(PRODUCT, KEY, { NewEmail: 'nope' }, { credential: null })
      expect(res.status).toBe(401)
    })
  })

  describe('403', () => {
    it('answers NewLicenseData for a product without the license-data option with 403 and changes nothing, not even the e-mail sent with it', async () => {
      const before = await historyOf(server, OTHER_KEY)
      const data = await update(OTHER_PRODUCT, OTHER_KEY, { NewLicenseData: 'seats=1', UserIp: '203.0.113.40' })
      expect(data.status).toBe(403)
      expect(data.body).toEqual({ Message: SEED[403] })
      const both = await update(OTHER_PRODUCT, OTHER_KEY, { NewEmail: 'both@example.com', NewLicenseData: 'seats=1', UserIp: '203.0.113.40' })
      expect(both.status).toBe(403)
      expect(await historyOf(server, OTHER_KEY)).toEqual(before)
    })

    it('answers 403 rather than 409 to a test event that asks an active product without the option for license data', async () => {
      const res = await update(OTHER_PRODUCT, OTHER_KEY, { NewEmail: 'both@example.com', NewLicenseData: 'seats=1', UserIp: '203.0.113.40', Test: true })
      expect(res.status).toBe(403)
    })

    it('lets an admin turn the option on, after which the data changes', async () => {
      expect((await api.put(`/products/${OTHER_PRODUCT}`, { status: 'active', license_data_enabled: true })).status).toBe(200)
      expect((await update(OTHER_PRODUCT, OTHER_KEY, { NewLicenseData: 'seats=1', UserIp: '203.0.113.40' })).status).toBe(204)
      expect((await historyOf(server, OTHER_KEY)).at(-1)!.data).toMatchObject({ to: 'seats=1' })
      expect((await api.put(`/products/${OTHER_PRODUCT}`, { status: 'active', license_data_enabled: false })).status).toBe(200)
    })
  })

  describe('404', () => {
    const body = { NewEmail: 'lost@example.com', UserIp: '203.0.113.50' }
    it('answers an unknown product, an unknown license and a license of another product with 404, and changes nothing', async () => {
      const before = await historyOf(server, OTHER_KEY)
      const unknownProduct = await update('NO-SUCH-PRODUCT', KEY, body)
      expect(unknownProduct.status).toBe(404)
      expect(unknownProduct.body).toEqual({ Message: 'ProductId not found' })
      const unknownLicense = await update(PRODUCT, 'NO-SUCH-KEY', body)
      expect(unknownLicense.status).toBe(404)
      expect(unknownLicense.body).toEqual({ Message: 'LicenseId not found for this ProductId' })
      const otherProducts = await update(PRODUCT, OTHER_KEY, body)
      expect(otherProducts.status).toBe(404)
      expect(otherProducts.body).toEqual({ Message: 'LicenseId not found for this ProductId' })
      expect(await historyOf(server, OTHER_KEY)).toEqual(before)
    })

    it('lets a key scoped to one product change its licenses only: another product is not found', async () => {
      const scoped = await issueKey(api, { product_id: OTHER_PRODUCT })
      const credential = { clientId: scoped.id, apiKey: scoped.token }
      const before = await historyOf(server, KEY)
      const other = await update(PRODUCT, KEY, body, { credential })
      expect(other.status).toBe(404)
      expect(other.body).toEqual({ Message: 'ProductId not found' })
      expect(await historyOf(server, KEY)).toEqual(before)
      expect((await update(OTHER_PRODUCT, OTHER_KEY, { NewEmail: 'scoped@example.com', UserIp: '203.0.113.50' }, { credential })).status).toBe(204)
    })

    it('lets a key scoped to one license change that license only', async () => {
      const scoped = await issueKey(api, { activation_key: KEY })
      const credential = { clientId: scoped.id, apiKey: scoped.token }
      expect((await update(OTHER_PRODUCT, OTHER_KEY, body, { credential })).status).toBe(404)
      expect((await update(PRODUCT, KEY, { NewEmail: 'mine@example.com', UserIp: '203.0.113.50' }, { credential })).status).toBe(204)
    })
  })

  describe('409', () => {
    it('answers a test event for an ACTIVE product with 409 and changes nothing', async () => {
      const before = await historyOf(server, OTHER_KEY)
      const res = await update(OTHER_PRODUCT, OTHER_KEY, { NewEmail: 'test-on-active@example.com', UserIp: '203.0.113.60', Test: true })
      expect(res.status).toBe(409)
      expect(res.body).toEqual({ Message: SEED[409] })
      expect(await historyOf(server, OTHER_KEY)).toEqual(before)
    })

    it('applies the same request to the same product without Test', async () => {
      const res = await update(OTHER_PRODUCT, OTHER_KEY, { NewEmail: 'test-on-active@example.com', UserIp: '203.0.113.60', Test: false })
      expect(res.status).toBe(204)
    })
  })

  it('answers a wrong method with 405 and an unknown path with 404, in the envelope', async () => {
    const wrongMethod = await api.delete(`/v1/licenses/${PRODUCT}/${KEY}`)
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('allow')).toBe('PATCH')
    expect(Object.keys(wrongMethod.body)).toEqual(['Message'])
    const unknown = await api.get('/v1/Licenses')
    expect(unknown.status).toBe(404)
    expect(Object.keys(unknown.body)).toEqual(['Message'])
  })

  it('is described in /openapi.json with every status of the seed', async () => {
    const doc = (await api.get('/openapi.json')).body
    const operation = doc.paths['/v1/Licenses/{productId}/{licenseId}'].patch
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['204', '400', '401', '403', '404', '409', '429', '500']))
    expect(operation.security).toEqual([{ basic: [] }])
    expect(Object.keys(doc.paths['/products/{product_id}']).sort()).toEqual(['get', 'put'])
  })
})

describe('seed 004 IP lockout (3 invalid attempts within 60 s, then 300 s of cooling)', () => {
  const server = useEngine(options({ config: { lockout: { maxAttempts: 3, windowSeconds: 60, cooldownSeconds: 300 } } }))
  let update: ReturnType<typeof licensesUpdate>

  beforeAll(async () => {
    ;({ update } = await setUpSeed004(client(server)))
  })

  it('locks out an end-user address after authenticated invalid attempts from anywhere, refuses even valid data with 429 until the cooling period ends, and records the lockout', async () => {
    const user = freshIp()
    const before = await historyOf(server, KEY)
    expect((await update(PRODUCT, 'NO-SUCH-KEY', { NewEmail: 'a@example.com', UserIp: user })).status).toBe(404)
    expect((await update(PRODUCT, KEY, { NewEmail: 'invalid', UserIp: user })).status).toBe(400)
    expect((await update(PRODUCT, KEY, { NewEmail: 'a@example.com', UserIp: user, Colour: 'red' })).status).toBe(400)

    const locked = await update(PRODUCT, KEY, { NewEmail: 'valid@example.com', UserIp: user })
    expect(locked.status).toBe(429)
    expect(locked.headers.get('x-ratelimit-reset')).toBe('300')
    expect(locked.body.Message).toMatch(/invalid attempts/)
    expect(await historyOf(server, KEY)).toEqual(before)

    // Another end user is not affected.
    expect((await update(PRODUCT, KEY, { NewLicenseData: 'other user', UserIp: freshIp() })).status).toBe(204)

    server.clock.advance(299_000)
    const stillLocked = await update(PRODUCT, KEY, { NewEmail: 'valid@example.com', UserIp: user })
    expect(stillLocked.status).toBe(429)
    expect(stillLocked.headers.get('x-ratelimit-reset')).toBe('1')
    server.clock.advance(1_000)
    expect((await update(PRODUCT, KEY, { NewEmail: 'valid@example.com', UserIp: user })).status).toBe(204)

    const audit = await server.running.store.readStream(`lockout-${user}`)
    expect(audit.map((e) => e.type)).toEqual(['InvalidAttemptRecorded', 'InvalidAttemptRecorded', 'InvalidAttemptRecorded', 'AddressLockedOut'])
    expect(audit.map((e) => (e.data as { reason?: string }).reason).slice(0, 3)).toEqual(['not_found', 'invalid_parameters', 'invalid_parameters'])
    expect(audit[3]!.data).toMatchObject({ address: user, attempts: 3, windowSeconds: 60 })
    expect(Date.parse((audit[3]!.data as { until: string }).until) - Date.parse((audit[3]!.data as { at: string }).at)).toBe(300_000)
  })

  it('counts a request without valid credentials against its source address only: naming a victim’s UserIp does not lock the victim out', async () => {
    const victim = freshIp()
    const attacker = freshIp()
    for (let i = 0; i < 5; i += 1) {
      const res = await update(PRODUCT, KEY, { NewEmail: 'a@example.com', UserIp: victim }, { from: attacker, credential: i % 2 === 0 ? null : { clientId: 'x', apiKey: 'wrong' } })
      expect([401, 429]).toContain(res.status)
    }
    expect((await update(PRODUCT, KEY, { NewEmail: 'victim@example.com', UserIp: victim })).status).toBe(204)
    expect(await server.running.store.readStream(`lockout-${victim}`)).toEqual([])
    // The attacker's own address is what got locked out.
    expect((await update(PRODUCT, KEY, { NewEmail: 'valid@example.com', UserIp: freshIp() }, { from: attacker })).status).toBe(429)
  })

  it('locks out a source address that sends invalid attempts for many end users, whatever UserIp it names next', async () => {
    const source = freshIp()
    for (let i = 0; i < 3; i += 1) expect((await update(PRODUCT, 'NO-SUCH-KEY', { NewEmail: 'a@example.com', UserIp: freshIp() }, { from: source })).status).toBe(404)
    const user = freshIp()
    const locked = await update(PRODUCT, KEY, { NewEmail: 'valid@example.com', UserIp: user }, { from: source })
    expect(locked.status).toBe(429)
    // Lockout comes before everything else: a body that is not JSON, or no credentials, get 429 too, not 400 or 401.
    expect((await update(PRODUCT, KEY, undefined, { from: source, raw: '{', headers: { 'content-type': 'application/json' } })).status).toBe(429)
    expect((await update(PRODUCT, KEY, { NewEmail: 'valid@example.com', UserIp: user }, { from: source, credential: null })).status).toBe(429)
    // The same end user through another source is served.
    expect((await update(PRODUCT, KEY, { NewEmail: 'valid@example.com', UserIp: user }, { from: freshIp() })).status).toBe(204)
  })

  it('counts a body that is not JSON against the source address', async () => {
    const source = freshIp()
    for (let i = 0; i < 3; i += 1) {
      expect((await update(PRODUCT, KEY, undefined, { from: source, raw: '{"UserIp":', headers: { 'content-type': 'application/json' } })).status).toBe(400)
    }
    expect((await update(PRODUCT, KEY, { NewEmail: 'valid@example.com', UserIp: freshIp() }, { from: source })).status).toBe(429)
  })

  it('counts only the attempts within the window', async () => {
    const user = freshIp()
    for (let i = 0; i < 2; i += 1) expect((await update(PRODUCT, KEY, { NewEmail: 'invalid', UserIp: user })).status).toBe(400)
    server.clock.advance(61_000)
    expect((await update(PRODUCT, KEY, { NewEmail: 'invalid', UserIp: user })).status).toBe(400)
    expect((await update(PRODUCT, KEY, { NewEmail: 'in-window@example.com', UserIp: user })).status).toBe(204)
  })

  it('does not count valid requests the product refuses (403, 409) as invalid attempts', async () => {
    const user = freshIp()
    for (let i = 0; i < 4; i += 1) {
      expect((await update(OTHER_PRODUCT, OTHER_KEY, { NewEmail: 'x@example.com', UserIp: user, Test: true })).status).toBe(409)
      expect((await update(OTHER_PRODUCT, OTHER_KEY, { NewLicenseData: 'x', UserIp: user })).status).toBe(403)
    }
    expect((await update(OTHER_PRODUCT, OTHER_KEY, { NewEmail: 'counted-not@example.com', UserIp: user })).status).toBe(204)
  })

  it('counts an IPv6 end user by its /64 network, however the address is spelled', async () => {
    for (const spelling of ['2001:db8:7:7::1', '2001:DB8:7:7:0:0:0:2', '2001:db8:7:7:ffff::3']) {
      expect((await update(PRODUCT, KEY, { NewEmail: 'invalid', UserIp: spelling })).status).toBe(400)
    }
    expect((await update(PRODUCT, KEY, { NewEmail: 'v6@example.com', UserIp: '2001:db8:7:7::99' })).status).toBe(429)
  })
})

describe('seed 004 rate limit per credential', () => {
  const server = useEngine(options({ config: { rateLimitPerMinute: 2 } }))
  const api = client(server)
  let update: ReturnType<typeof licensesUpdate>
  let other: BasicCredential

  beforeAll(async () => {
    await setUpLicense(api, KEY, PRODUCT)
    const first = await issueKey(api, 'admin')
    const second = await issueKey(api, 'admin')
    other = { clientId: second.id, apiKey: second.token }
    update = licensesUpdate(api, { clientId: first.id, apiKey: first.token })
  })

  it('answers requests over the limit with 429 and X-RateLimit-Reset in seconds, changes nothing, and serves the credential again after the window', async () => {
    expect((await update(PRODUCT, KEY, { NewEmail: 'one@example.com', UserIp: '203.0.113.1' })).status).toBe(204)
    expect((await update(PRODUCT, KEY, { NewEmail: 'two@example.com', UserIp: '203.0.113.1' })).status).toBe(204)
    server.clock.advance(20_000)
    const before = await historyOf(server, KEY)
    const limited = await update(PRODUCT, KEY, { NewEmail: 'three@example.com', UserIp: '203.0.113.1' })
    expect(limited.status).toBe(429)
    expect(limited.body).toEqual({ Message: SEED[429] })
    expect(limited.headers.get('x-ratelimit-reset')).toBe('40')
    expect(await historyOf(server, KEY)).toEqual(before)

    // The limit is per credential: another one is served.
    expect((await update(PRODUCT, KEY, { NewEmail: 'other@example.com', UserIp: '203.0.113.1' }, { credential: other })).status).toBe(204)

    server.clock.advance(40_000)
    expect((await update(PRODUCT, KEY, { NewEmail: 'three@example.com', UserIp: '203.0.113.1' })).status).toBe(204)
    // express-rate-limit reports misconfigurations through the logger: there are none. (The
    // warnings at start-up about generated keys are the engine's own and expected.)
    const startedAt = server.logs.findIndex((line) => line.msg === 'listening')
    expect(server.logs.slice(startedAt).filter((line) => (line.level as number) >= 40)).toEqual([])
  })
})

describe('seed 004 internal failure', () => {
  const engines = useEngines()

  it('answers a real internal failure (a stored event that does not decode) with 500 in the envelope, without a stack trace', async () => {
    const server = await engines.start(options({}))
    const api = client(server)
    await setUpLicense(api, KEY, PRODUCT)
    const key = await issueKey(api, 'admin')
    const [reserved] = await server.running.store.readStream(`activationKey-${KEY}`)
    const stream = `order-${(reserved!.data as { orderId: string }).orderId}`
    const history = await server.running.store.readStream(stream)
    const appended = await server.running.store.appendToStream(
      stream,
      [{ id: '00000000-0000-4000-8000-000000000001', type: 'LicenseEmailChanged', data: { to: 42 }, metadata: history[0]!.metadata as Record<string, never> }],
      { kind: 'exact', revision: history.length - 1 },
    )
    expect(appended._tag).toBe('Right')
    const res = await licensesUpdate(api, { clientId: key.id, apiKey: key.token })(PRODUCT, KEY, { NewEmail: 'x@example.com', UserIp: '203.0.113.1' })
    expect(res.status).toBe(500)
    expect(Object.keys(res.body)).toEqual(['Message'])
    expect(res.text).not.toMatch(/at .*\.ts:\d+|EventDecodeError/)
  })
})
