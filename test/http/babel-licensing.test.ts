// Seed 002 over real HTTP beyond the seats: node-locked activate/deactivate,
// validate and info, the outcomes for unknown, disabled, expired and revoked,
// authentication and product-scoped keys, and the problem-details dialect.
import { beforeAll, describe, expect, it } from 'vitest'
import { babelClient, clientBody, eventsOfType, tokenId, verifyWithJwks, createLicense } from '../support/babel.js'
import { createCustomer, createTemplate, issueKey, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

describe('Babel Licensing (seed 002) over HTTP', () => {
  const server = useEngine()
  const api = client(server)
  const babel = babelClient(server)
  let customerId: number
  let templateId: number
  let otherTemplateId: number

  beforeAll(async () => {
    customerId = await createCustomer(api)
    templateId = await createTemplate(api, '1')
    otherTemplateId = await createTemplate(api, 'other-product', 'Other')
  })

  const license = (key: string, change: Record<string, unknown> = {}) => createLicense(api, babel, customerId, templateId, key, change)
  const [feature] = seedOrder().Features as Record<string, unknown>[]

  describe('activate and deactivate (node-locked)', () => {
    it('activates a machine with a token carrying the license, client, machine, expiry and features, in the documented shape', async () => {
      const { key, orderId } = await license('ACT-SHAPE', { license_type: 'local' })
      const res = await babel('activate', clientBody(key, 1))
      expect(res.status, res.text).toBe(200)
      expect(Object.keys(res.body)).toEqual(['success', 'licenseToken', 'tokenExpireAt', 'activeClientCount', 'maxClientCount', 'license'])
      const now = server.clock.now()
      const expiry = { seconds: now.getTime() / 1000 + 90 * 86400, nanos: 0 }
      expect(res.body).toMatchObject({
        success: true,
        tokenExpireAt: expiry,
        activeClientCount: 1,
        maxClientCount: 10,
        license: {
          licenseId: orderId,
          licensingMode: 1,
          expireAt: expiry,
          supportExpireAt: { seconds: Date.parse('2021-01-01T00:00:00Z') / 1000, nanos: 0 },
          licenseKey: [...Buffer.from('ACT-SHAPE')],
        },
      })
      const claims = await verifyWithJwks(server, res.body.licenseToken, now)
      expect(claims).toMatchObject({
        sub: orderId,
        kind: 'activation',
        client: { id: 'client-1', name: 'Client 1' },
        machine: { id: 'machine-1' },
        exp: expiry.seconds,
        license: { id: orderId, mode: 'activation', expiresAt: new Date(expiry.seconds * 1000).toISOString() },
        features: [{ name: 'Licstat', version: '6.0', count: 15, expiresAt: new Date(expiry.seconds * 1000).toISOString() }],
      })
      expect((await api.get(`/license-orders/${key}`)).body).toMatchObject({ activated_licenses_count: 1, deactivations_left: 10 })
    })

    it('answers the same client and machine activating again with the same activation and writes nothing', async () => {
      const { key, orderId } = await license('ACT-AGAIN')
      const first = await babel('activate', clientBody(key, 1))
      server.clock.advance(5_000)
      const again = await babel('activate', clientBody(key, 1))
      expect(again.body.licenseToken).toBe(first.body.licenseToken)
      expect(again.body.activeClientCount).toBe(1)
      expect(await eventsOfType(server, orderId, 'MachineActivated')).toHaveLength(1)
    })

    it('answers success: false when every activation is taken', async () => {
      const { key } = await license('ACT-FULL', { activations_allowed: 1 })
      await babel('activate', clientBody(key, 1))
      const res = await babel('activate', clientBody(key, 2))
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ success: false, licenseToken: null, tokenExpireAt: null, activeClientCount: 1, maxClientCount: 1 })
    })

    it('deactivates within deactivations_allowed, shows what is left in seed 001, then refuses', async () => {
      const { key, orderId } = await license('ACT-DEACT', { deactivations_allowed: 2 })
      for (const n of [1, 2, 3]) await babel('activate', clientBody(key, n))
      const first = await babel('deactivate', clientBody(key, 1))
      expect(first.status, first.text).toBe(200)
      expect(first.body).toEqual({ licenseId: orderId, activeClientCount: 2, maxClientCount: 10 })
      expect((await api.get(`/license-orders/${key}`)).body).toMatchObject({ activated_licenses_count: 2, deactivations_left: 1 })
      expect((await babel('deactivate', clientBody(key, 2))).status).toBe(200)
      const refused = await babel('deactivate', clientBody(key, 3))
      // Babel raises a limit as PermissionDenied (its ServerReachedMaxTokenAllowed): 403.
      expect(refused.status).toBe(403)
      expect(refused.body).toMatchObject({ status: 403, code: 'DEACTIVATION_LIMIT_REACHED' })
      expect((await api.get(`/license-orders/${key}`)).body).toMatchObject({ activated_licenses_count: 1, deactivations_left: 0 })
    })

    it('never limits deactivations when deactivations_allowed is null, and shows none left as null', async () => {
      const { key } = await license('ACT-UNLIMITED', { deactivations_allowed: null })
      for (let i = 0; i < 5; i += 1) {
        await babel('activate', clientBody(key, 1))
        expect((await babel('deactivate', clientBody(key, 1))).status).toBe(200)
      }
      expect((await api.get(`/license-orders/${key}`)).body).toMatchObject({ deactivations_allowed: null, deactivations_left: null })
    })

    it('answers deactivating a machine that is not activated with 404 NOT_ACTIVATED', async () => {
      const { key } = await license('ACT-NONE')
      const res = await babel('deactivate', clientBody(key, 9))
      expect(res.status).toBe(404)
      expect(res.body.code).toBe('NOT_ACTIVATED')
    })
  })

  describe('validate and info', () => {
    it('validates a client with a machine-readable code beside the documented fields', async () => {
      const { key } = await license('VAL-CODES')
      expect((await babel('validate', clientBody(key, 1))).body).toMatchObject({ success: false, code: 'NO_SEAT', licenseToken: null })
      const seat = await babel('request', clientBody(key, 1))
      const valid = await babel('validate', clientBody(key, 1))
      expect(Object.keys(valid.body)).toEqual(['success', 'code', 'licenseToken', 'tokenExpireAt', 'activeClientCount', 'maxClientCount', 'license'])
      expect(valid.body).toMatchObject({ success: true, code: 'VALID', tokenExpireAt: seat.body.tokenExpireAt, activeClientCount: 1 })
      expect(tokenId(valid.body.licenseToken)).toBe(tokenId(seat.body.licenseToken))
      const elsewhere = await babel('validate', { ...clientBody(key, 1), machineId: 'another-machine' })
      expect(elsewhere.body).toMatchObject({ success: false, code: 'FINGERPRINT_MISMATCH' })
      const local = await license('VAL-LOCAL', { license_type: 'local' })
      expect((await babel('validate', clientBody(local.key, 1))).body.code).toBe('NOT_ACTIVATED')
    })

    it('lists every activation and live seat with its token in info', async () => {
      const { key, orderId } = await license('INFO-LIST')
      const activation = await babel('activate', clientBody(key, 1))
      const seat = await babel('request', clientBody(key, 2))
      const res = await babel('info', { userKey: key, machineId: '', clientId: '', clientName: '' })
      expect(res.status, res.text).toBe(200)
      expect(Object.keys(res.body)).toEqual([
        'licenseTokens',
        'licenseId',
        'activeClientCount',
        'maxClientCount',
        'licensingMode',
        'revoked',
        'issuedAt',
        'expireAt',
        'supportExpireAt',
      ])
      expect(res.body).toMatchObject({ licenseId: orderId, activeClientCount: 2, maxClientCount: 10, licensingMode: 2, revoked: false })
      expect(res.body.licenseTokens).toEqual([
        expect.objectContaining({ token: activation.body.licenseToken, licenseId: orderId, revoked: false, clientId: 'client-1', machineId: 'machine-1', clientName: 'Client 1', lastHearbeat: null }),
        expect.objectContaining({ token: seat.body.licenseToken, revoked: false, clientId: 'client-2', machineId: 'machine-2', expireAt: seat.body.tokenExpireAt }),
      ])
      expect(res.body.licenseTokens[1].clientAddr).toMatch(/127\.0\.0\.1/)
    })
  })

  describe('outcomes', () => {
    it('answers an unknown key with 404 LICENSE_NOT_FOUND as RFC 7807 problem details', async () => {
      for (const operation of ['activate', 'deactivate', 'request', 'validate', 'info']) {
        const res = await babel(operation, clientBody('NO-SUCH-KEY', 1))
        expect(res.status).toBe(404)
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
        expect(res.body).toEqual({
          type: 'https://tools.ietf.org/html/rfc9110#section-15.5.5',
          title: 'Not Found',
          status: 404,
          detail: 'No license has this key.',
          code: 'LICENSE_NOT_FOUND',
          traceId: res.headers.get('x-request-id'),
        })
      }
    })

    it('refuses new use of a disabled order, says so in validate and info, and stops its seats heartbeating', async () => {
      const { key } = await license('OUT-DISABLED')
      const seat = await babel('request', clientBody(key, 1))
      expect((await api.patch(`/license-orders/${key}`, { ...seedOrder(customerId, templateId), enabled: false })).status).toBe(200)
      for (const operation of ['activate', 'request']) {
        const res = await babel(operation, clientBody(key, 2))
        expect(res.status).toBe(403)
        expect(res.body).toMatchObject({ code: 'LICENSE_DISABLED', title: 'Forbidden' })
      }
      expect((await babel('heartbeat', { licenseToken: seat.body.licenseToken })).body.code).toBe('LICENSE_DISABLED')
      expect((await babel('validate', clientBody(key, 1))).body).toMatchObject({ success: false, code: 'DISABLED' })
      expect((await babel('info', { userKey: key })).body.revoked).toBe(true)
      // Giving the seat back is always allowed.
      expect((await babel('release', { licenseToken: seat.body.licenseToken })).status).toBe(200)
    })

    it('refuses an expired license with LICENSE_EXPIRED and validates it as EXPIRED', async () => {
      const { key } = await license('OUT-EXPIRED', {
        Features: [{ ...feature, expiration_type: 'fixed', expiration_date: '2026-11-21', days_from_activation: null }],
      })
      const res = await babel('request', clientBody(key, 1))
      expect(res.status).toBe(403)
      expect(res.body).toMatchObject({ code: 'LICENSE_EXPIRED', detail: 'The license expired at 2026-11-22T00:00:00.000Z.' })
      expect((await babel('activate', clientBody(key, 1))).body.code).toBe('LICENSE_EXPIRED')
      expect((await babel('validate', clientBody(key, 1))).body).toMatchObject({ success: false, code: 'EXPIRED' })
    })

    it('counts days_from_activation from the first use: the license expires 90 days after it', async () => {
      const { key } = await license('OUT-DAYS')
      const first = await babel('activate', clientBody(key, 1))
      server.clock.advance(89 * 86_400_000)
      expect((await babel('request', clientBody(key, 2))).body.license.expireAt).toEqual(first.body.license.expireAt)
      server.clock.advance(86_400_000)
      expect((await babel('validate', clientBody(key, 1))).body.code).toBe('EXPIRED')
      server.clock.advance(-90 * 86_400_000)
    })

    it('refuses a revoked token as TOKEN_REVOKED, frees its place and lists it as revoked', async () => {
      const { key } = await license('OUT-REVOKED')
      const seat = await babel('request', clientBody(key, 1))
      const id = tokenId(seat.body.licenseToken)
      const revoked = await api.delete(`/license-orders/${key}/tokens/${id}`)
      expect(revoked.status, revoked.text).toBe(200)
      expect(revoked.body).toMatchObject({ token_id: id, kind: 'seat', client_id: 'client-1', machine_id: 'machine-1' })
      const beat = await babel('heartbeat', { licenseToken: seat.body.licenseToken })
      expect(beat.status).toBe(403)
      expect(beat.body.code).toBe('TOKEN_REVOKED')
      expect((await babel('release', { licenseToken: seat.body.licenseToken })).body.code).toBe('TOKEN_REVOKED')
      expect((await babel('validate', clientBody(key, 1))).body.code).toBe('TOKEN_REVOKED')
      const info = await babel('info', { userKey: key })
      expect(info.body.activeClientCount).toBe(0)
      expect(info.body.licenseTokens).toEqual([expect.objectContaining({ token: null, revoked: true, clientId: 'client-1' })])
      expect((await api.delete(`/license-orders/${key}/tokens/no-such-token`)).status).toBe(404)
    })

    it('refuses a tampered or forged token with 400 INVALID_LICENSE_TOKEN, and a token shown by another machine with CLIENT_MISMATCH', async () => {
      const { key } = await license('OUT-TAMPER')
      const token = (await babel('request', clientBody(key, 1))).body.licenseToken as string
      const [header, payload, signature] = token.split('.')
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>
      const tampered = [header, Buffer.from(JSON.stringify({ ...claims, machine: { id: 'machine-9' } })).toString('base64url'), signature].join('.')
      for (const bad of [tampered, `${token.slice(0, -4)}AAAA`, 'not-a-token']) {
        const res = await babel('heartbeat', { licenseToken: bad })
        expect(res.status).toBe(400)
        expect(res.body).toMatchObject({ code: 'INVALID_LICENSE_TOKEN', errors: { licenseToken: ['licenseToken is not a valid license token'] } })
      }
      const mismatch = await babel('heartbeat', { licenseToken: token, machineId: 'machine-9' })
      expect(mismatch.status).toBe(403)
      expect(mismatch.body.code).toBe('CLIENT_MISMATCH')
      const activation = (await babel('activate', clientBody(key, 5))).body.licenseToken as string
      expect((await babel('release', { licenseToken: activation })).body.code).toBe('INVALID_LICENSE_TOKEN')
    })
  })

  describe('authentication and scope', () => {
    it('takes an API key as x-api-key or as Bearer, and answers 401 without one', async () => {
      const { key } = await license('AUTH-SCHEMES')
      const issued = await issueKey(api, { product_id: '1' })
      expect((await babelClient(server, { apiKey: issued.token })('info', { userKey: key })).status).toBe(200)
      expect((await babelClient(server, { bearer: issued.token })('info', { userKey: key })).status).toBe(200)
      const missing = await babelClient(server, null)('info', { userKey: key })
      expect(missing.status).toBe(401)
      expect(missing.headers.get('www-authenticate')).toBe('Bearer')
      expect(missing.body.code).toBe('MISSING_CREDENTIALS')
      expect((await babelClient(server, { apiKey: 'lk_aaaaaaaaaaaaaaaa_bogus' })('info', { userKey: key })).body.code).toBe('INVALID_CREDENTIALS')
      await api.delete(`/api-keys/${issued.id}`)
      // A revoked key is answered as an unknown one: whether a key once worked is not told.
      expect((await babelClient(server, { apiKey: issued.token })('info', { userKey: key })).body.code).toBe('INVALID_CREDENTIALS')
    })

    it("lets a key scoped to one product act on that product's licenses only", async () => {
      const mine = await license('SCOPE-MINE')
      const created = await api.post('/license-orders', { ...seedOrder(customerId, otherTemplateId), activation_key: 'SCOPE-THEIRS' })
      expect(created.status).toBe(201)
      const theirSeat = (await babel('request', clientBody('SCOPE-THEIRS', 1))).body.licenseToken as string
      const scoped = babelClient(server, { apiKey: (await issueKey(api, { product_id: '1' })).token })

      const granted = await scoped('request', clientBody(mine.key, 1))
      expect(granted.body.granted).toBe(true)
      for (const operation of ['activate', 'deactivate', 'request', 'validate', 'info']) {
        const res = await scoped(operation, clientBody('SCOPE-THEIRS', 2))
        expect(res.status, operation).toBe(403)
        expect(res.body.code).toBe('FORBIDDEN')
      }
      expect((await scoped('heartbeat', { licenseToken: theirSeat })).status).toBe(403)
      expect((await scoped('release', { licenseToken: theirSeat })).status).toBe(403)
      expect((await scoped('heartbeat', { licenseToken: granted.body.licenseToken })).status).toBe(200)

      const licenseKey = babelClient(server, { apiKey: (await issueKey(api, { activation_key: mine.key })).token })
      expect((await licenseKey('validate', clientBody(mine.key, 1))).status).toBe(200)
      expect((await licenseKey('validate', clientBody('SCOPE-THEIRS', 1))).status).toBe(403)
      const otherScoped = await issueKey(api, { product_id: 'other-product' })
      expect((await api.put(`/license-orders/${mine.key}/seat-settings`, { heartbeat_interval_seconds: 30 }, { token: otherScoped.token })).status).toBe(403)
    })
  })

  describe('bodies', () => {
    it('accepts application/json as well as the seed\'s application/json-patch+json', async () => {
      const { key } = await license('BODY-JSON')
      const res = await babelClient(server)('request', clientBody(key, 1), { 'content-type': 'application/json' })
      expect(res.body.granted).toBe(true)
    })

    it('matches property names without regard to case, as its ASP.NET service binds them, and refuses one sent twice in two casings', async () => {
      const { key } = await license('BODY-CASING')
      const pascal = await babel('request', { UserKey: key, MachineID: 'machine-1', clientid: 'client-1', ClientName: 'Desk' })
      expect(pascal.status, pascal.text).toBe(200)
      expect(pascal.body.granted).toBe(true)
      const twice = await babel('request', { userKey: key, UserKey: key, machineId: 'machine-2', clientId: 'client-2' })
      expect(twice.status).toBe(400)
      expect(twice.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: { userKey: ['userKey is sent twice, as userKey and as UserKey'] } })
    })

    it('answers missing or invalid fields with 400 naming each field, malformed JSON with 400 and another media type with 415', async () => {
      const res = await babel('request', { machineId: 'm', clientId: '' })
      expect(res.status).toBe(400)
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(res.body).toMatchObject({
        title: 'One or more validation errors occurred.',
        status: 400,
        code: 'VALIDATION_FAILED',
        errors: { userKey: ['userKey is required'], clientId: ['clientId must not be empty'] },
      })
      expect((await babel('heartbeat', {})).body.errors).toEqual({ licenseToken: ['licenseToken is required'] })
      const malformed = await api.call('POST', '/v1/license/request', undefined, { raw: '{"userKey": ', headers: { 'content-type': 'application/json-patch+json' } })
      expect(malformed.status).toBe(400)
      expect(malformed.body.code).toBe('BAD_REQUEST')
      const wrongType = await api.call('POST', '/v1/license/request', undefined, { raw: 'userKey=1', headers: { 'content-type': 'text/plain' } })
      expect(wrongType.status).toBe(415)
      expect(wrongType.body.code).toBe('UNSUPPORTED_MEDIA_TYPE')
      const wrongMethod = await api.get('/v1/license/request')
      expect(wrongMethod.status).toBe(405)
      expect(wrongMethod.body.code).toBe('METHOD_NOT_ALLOWED')
    })

    it('replays the first answer for a repeated Idempotency-Key', async () => {
      const { key, orderId } = await license('BODY-IDEMPOTENT', { activations_allowed: 1 })
      const first = await babel('request', clientBody(key, 1), { 'idempotency-key': 'req-1' })
      const replay = await babel('request', clientBody(key, 1), { 'idempotency-key': 'req-1' })
      expect(replay.headers.get('idempotent-replayed')).toBe('true')
      expect(replay.body).toEqual(first.body)
      expect(await eventsOfType(server, orderId, 'SeatGranted')).toHaveLength(1)
    })
  })

  it('answered everything above without a server error', async () => {
    expect(server.logs.filter((line) => (line.level as number) >= 50)).toEqual([])
  })

  it('describes every route it serves in /openapi.json', async () => {
    const doc = (await api.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> }
    for (const operation of ['activate', 'deactivate', 'request', 'release', 'heartbeat', 'validate', 'info']) {
      expect(Object.keys(doc.paths[`/v1/license/${operation}`] ?? {})).toEqual(['post'])
    }
    expect(Object.keys(doc.paths['/.well-known/jwks.json'] ?? {})).toEqual(['get'])
    expect(Object.keys(doc.paths['/license-orders/{activation_key}/seat-settings'] ?? {})).toEqual(['get', 'put'])
    expect(Object.keys(doc.paths['/license-orders/{activation_key}/tokens/{token_id}'] ?? {})).toEqual(['delete'])
  })
})
