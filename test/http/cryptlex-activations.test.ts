// Seed 003 (Cryptlex /v3/activations) over real HTTP: activate, read,
// update and deactivate; one set of activations with seed 002 and seed 001;
// tokens verified with the product's RSA public key alone; activations
// without a vendor credential, rate limited; vendor keys and product scope;
// the error dialect.
import { beforeAll, describe, expect, it } from 'vitest'
import { babelClient, eventsOfType, orderEvents, verifyWithJwks, createLicense } from '../support/babel.js'
import { activationBody, cryptlexClient, fingerprintOf, verifyActivationToken } from '../support/cryptlex.js'
import { createCustomer, createTemplate, issueKey, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

/** The keys of the activation object in seed 003's webhook example, in its order, less organization and user (which the engine does not keep). */
const SEED_ACTIVATION_KEYS = [
  'id',
  'createdAt',
  'updatedAt',
  'os',
  'osVersion',
  'hostname',
  'location',
  'vmName',
  'container',
  'appVersion',
  'releaseVersion',
  'releaseChannel',
  'releasePlatform',
  'offline',
  'productId',
  'expiresAt',
  'licenseId',
  'lastSyncedAt',
  'meterAttributes',
  'leaseExpiresAt',
  'userId',
  'metadata',
]

describe('Cryptlex activations (seed 003) over HTTP', () => {
  const server = useEngine()
  const api = client(server)
  const cryptlex = cryptlexClient(server)
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
  const activated = async (key: string, n: number | string, extra: Record<string, unknown> = {}): Promise<{ id: string; token: string }> => {
    const res = await cryptlex.activate(activationBody(key, n, extra))
    expect(res.status, res.text).toBe(200)
    const token = res.body.activationToken as string
    return { id: String((await verifyActivationToken(server, token)).aid), token }
  }

  describe('activate', () => {
    it("answers 200 with an RS256 activation token that verifies with the product's public key alone and carries Cryptlex's claims", async () => {
      const { key, orderId } = await license('V3-TOKEN')
      const res = await cryptlex.activate(activationBody(key, 1))
      expect(res.status, res.text).toBe(200)
      expect(Object.keys(res.body)).toEqual(['activationToken'])
      const now = server.clock.now().getTime() / 1000
      const claims = await verifyActivationToken(server, res.body.activationToken)
      expect(claims).toEqual({
        aid: claims.aid,
        os: 'linux',
        fp: fingerprintOf(1),
        fms: 'exact',
        eat: now + 90 * 86400,
        iat: now,
        pid: '1',
        orv: 0,
        lid: orderId,
        key,
        name: '',
        email: '',
        company: '',
        type: 'node-locked',
        suspended: false,
        fc: 0,
        ls: 'per-machine',
        ld: 0,
        ssgpeat: 0,
        leat: 0,
        aco: 3600,
        ssi: 0,
        pmd: [],
        lmd: [],
        umd: [],
        amd: [{ key: 'seat', value: 'desk 4' }],
        lma: [],
        ama: [],
      })
      expect(res.headers.get('location')).toBe(`/v3/activations/${String(claims.aid)}`)
      // Seed 002's JWKS (Ed25519) does not verify it, and a token altered by one character does not verify.
      await expect(verifyWithJwks(server, res.body.activationToken, server.clock.now())).rejects.toThrow()
      const [head, payload, signature] = (res.body.activationToken as string).split('.')
      // A character inside the signature (its last ones carry padding bits a change may not touch).
      const at = signature!.length - 10
      const forged = `${head}.${payload}.${signature!.slice(0, at)}${signature![at] === 'A' ? 'B' : 'A'}${signature!.slice(at + 1)}`
      await expect(verifyActivationToken(server, forged)).rejects.toThrow()
    })

    it("reads the activation back as ActivationDto, with what the engine does not keep given a defined value or left out", async () => {
      const { key, orderId } = await license('V3-SHAPE')
      const { id } = await activated(key, 1, { meterAttributes: [] })
      const res = await cryptlex.get(id)
      expect(res.status, res.text).toBe(200)
      expect(Object.keys(res.body)).toEqual(SEED_ACTIVATION_KEYS)
      const now = server.clock.now().toISOString()
      expect(res.body).toEqual({
        id,
        createdAt: now,
        updatedAt: now,
        os: 'linux',
        osVersion: '6.1',
        hostname: 'host-1',
        location: { ipAddress: expect.stringMatching(/127\.0\.0\.1$/) },
        vmName: '',
        container: false,
        appVersion: '1.2.3',
        releaseVersion: '1.2.3',
        releaseChannel: 'stable',
        releasePlatform: 'x64',
        offline: false,
        productId: '1',
        expiresAt: new Date(server.clock.now().getTime() + 90 * 86400_000).toISOString(),
        licenseId: orderId,
        lastSyncedAt: now,
        meterAttributes: [],
        leaseExpiresAt: null,
        userId: 'user-id',
        metadata: [{ id: `${id}-0`, createdAt: now, updatedAt: now, key: 'seat', value: 'desk 4' }],
      })
    })

    it('answers the same fingerprint on the same license with the same activation (200), writing nothing when nothing changed', async () => {
      const { key, orderId } = await license('V3-AGAIN')
      const first = await activated(key, 1)
      server.clock.advance(1_000)
      const again = await cryptlex.activate(activationBody(key, 1))
      expect(again.status, again.text).toBe(200)
      expect(again.headers.get('location')).toBeNull()
      expect((await verifyActivationToken(server, again.body.activationToken)).aid).toBe(first.id)
      expect(await eventsOfType(server, orderId, 'MachineActivated')).toHaveLength(1)
      expect(await eventsOfType(server, orderId, 'ActivationUpdated')).toHaveLength(0)
      // With other details: the same activation, updated.
      const updated = await cryptlex.activate(activationBody(key, 1, { osVersion: '6.2' }))
      expect(updated.status).toBe(200)
      expect((await verifyActivationToken(server, updated.body.activationToken)).aid).toBe(first.id)
      expect((await cryptlex.get(first.id)).body).toMatchObject({ osVersion: '6.2', updatedAt: server.clock.now().toISOString() })
    })

    it("refuses, with Cryptlex's 400 and code, an unknown key, another product, a full, disabled or expired license", async () => {
      const unknown = await cryptlex.activate(activationBody('NO-SUCH-KEY', 1))
      expect([unknown.status, unknown.body]).toEqual([400, { code: 'INVALID_LICENSE_KEY', message: 'No license has this key.' }])

      const { key } = await license('V3-REFUSED', { activations_allowed: 1 })
      const wrongProduct = await cryptlex.activate(activationBody(key, 1, { productId: 'other-product' }))
      expect([wrongProduct.status, wrongProduct.body]).toEqual([400, { code: 'INVALID_PRODUCT_ID', message: 'productId is not the product of this license.' }])

      await activated(key, 1)
      const full = await cryptlex.activate(activationBody(key, 2))
      expect([full.status, full.body]).toEqual([400, { code: 'ACTIVATION_LIMIT_REACHED', message: 'All 1 activations of the license are in use.' }])
      // The rule that refused it, beside the body Cryptlex defines (issue 16).
      expect(full.headers.get('x-denial-rule')).toBe('activations_allowed')

      const disabled = await license('V3-DISABLED', { enabled: false })
      const revoked = await cryptlex.activate(activationBody(disabled.key, 1))
      expect([revoked.status, revoked.body.code, revoked.headers.get('x-denial-rule')]).toEqual([400, 'REVOKED_LICENSE', 'enabled'])
      const [feature] = seedOrder().Features as Record<string, unknown>[]
      const expired = await license('V3-EXPIRED', { Features: [{ ...feature, expiration_type: 'fixed', expiration_date: '2020-01-01', days_from_activation: null }] })
      const late = await cryptlex.activate(activationBody(expired.key, 1))
      expect([late.status, late.body.code, late.headers.get('x-denial-rule')]).toEqual([400, 'LICENSE_EXPIRED', 'expiration'])
    })
  })

  describe('one set of activations with seed 002 and seed 001', () => {
    it('shows a seed 003 activation in seed 002 info (client = product id, machine = fingerprint) and in seed 001 counts', async () => {
      const { key, orderId } = await license('V3-SHARED')
      const { id } = await activated(key, 1)
      const info = await babel('info', { userKey: key })
      expect(info.body).toMatchObject({ activeClientCount: 1, licenseId: orderId })
      expect(info.body.licenseTokens).toMatchObject([{ clientId: '1', machineId: fingerprintOf(1), clientName: 'host-1', revoked: false }])
      expect((await verifyWithJwks(server, info.body.licenseTokens[0].token, server.clock.now())).jti).toBe(id)
      expect((await api.get(`/license-orders/${key}`)).body).toMatchObject({ activated_licenses_count: 1 })
      // Seed 002 activating the same client and machine gets the same activation.
      const same = await babel('activate', { userKey: key, clientId: '1', machineId: fingerprintOf(1) })
      expect(same.body).toMatchObject({ success: true, activeClientCount: 1 })
    })

    it("counts seed 002's and seed 003's activations against one activations_allowed, and seed 002 deactivates a seed 003 activation", async () => {
      const { key } = await license('V3-LIMIT', { activations_allowed: 2 })
      expect((await babel('activate', { userKey: key, clientId: 'c1', machineId: 'm1' })).body.success).toBe(true)
      const { id } = await activated(key, 1)
      expect((await cryptlex.activate(activationBody(key, 2))).body.code).toBe('ACTIVATION_LIMIT_REACHED')
      expect((await babel('activate', { userKey: key, clientId: 'c2', machineId: 'm2' })).body.success).toBe(false)

      expect((await babel('deactivate', { userKey: key, clientId: '1', machineId: fingerprintOf(1) })).status).toBe(200)
      expect((await cryptlex.get(id)).status).toBe(404)
      expect((await cryptlex.activate(activationBody(key, 2))).status).toBe(200)
    })

    it('reads a seed 002 activation through seed 003, with no details', async () => {
      const { key } = await license('V3-FROM-002')
      const res = await babel('activate', { userKey: key, clientId: 'c1', machineId: 'm1' })
      const id = (await verifyWithJwks(server, res.body.licenseToken, server.clock.now())).jti!
      const view = await cryptlex.get(id)
      expect(view.status).toBe(200)
      expect(view.body).toMatchObject({ id, os: null, hostname: '', container: false, productId: '1', meterAttributes: [], metadata: [] })
    })
  })

  describe('update', () => {
    const minimal = (key: string, n: number) => {
      const { os, fingerprint, hostname, userHash, productId, accountId } = activationBody(key, n)
      return { os, fingerprint, hostname, userHash, productId, accountId, key }
    }

    it('replaces the fields sent and leaves those not sent unchanged; answers 200 with a token', async () => {
      const { key, orderId } = await license('V3-PATCH')
      const { id } = await activated(key, 1)
      server.clock.advance(60_000)
      const res = await cryptlex.update(id, { ...minimal(key, 1), hostname: 'renamed', releaseVersion: '2.0', metadata: [{ key: 'a', value: '' }] })
      expect(res.status, res.text).toBe(200)
      expect(Object.keys(res.body)).toEqual(['activationToken'])
      const claims = await verifyActivationToken(server, res.body.activationToken)
      expect(claims).toMatchObject({ aid: id, lid: orderId, fp: fingerprintOf(1), key })
      const view = (await cryptlex.get(id)).body
      expect(view).toMatchObject({
        hostname: 'renamed',
        releaseVersion: '2.0',
        appVersion: '2.0',
        metadata: [{ key: 'a', value: '' }],
        // Not sent: as they were.
        osVersion: '6.1',
        vmName: '',
        container: false,
        releaseChannel: 'stable',
        userId: 'user-id',
        updatedAt: server.clock.now().toISOString(),
      })
      expect(view.createdAt).not.toBe(view.updatedAt)
      // Nothing to change: nothing written.
      const before = (await eventsOfType(server, orderId, 'ActivationUpdated')).length
      expect((await cryptlex.update(id, { ...minimal(key, 1), hostname: 'renamed' })).status).toBe(200)
      expect(await eventsOfType(server, orderId, 'ActivationUpdated')).toHaveLength(before)
    })

    it('keeps the required fields required (400 naming them) and changes nothing when one field is invalid', async () => {
      const { key } = await license('V3-PATCH-INVALID')
      const { id } = await activated(key, 1)
      const { os: _os, ...withoutOs } = minimal(key, 1)
      const missing = await cryptlex.update(id, { ...withoutOs, hostname: 'changed' })
      expect(missing.status).toBe(400)
      expect(missing.body).toEqual({ code: 'VALIDATION_FAILED', message: 'os is required' })
      const bad = await cryptlex.update(id, { ...minimal(key, 1), hostname: 'changed', releaseVersion: '1' })
      expect(bad.status).toBe(400)
      expect(bad.body).toEqual({ code: 'VALIDATION_FAILED', message: 'releaseVersion must be a version as x.x, x.x.x or x.x.x.x' })
      expect((await cryptlex.get(id)).body.hostname).toBe('host-1')
    })

    it("refuses another license's key, another product, another machine's fingerprint and an unknown id", async () => {
      const { key } = await license('V3-PATCH-WHO')
      const other = await license('V3-PATCH-OTHER')
      const { id } = await activated(key, 1)
      const wrongKey = await cryptlex.update(id, { ...minimal(key, 1), key: other.key })
      expect([wrongKey.status, wrongKey.body.code]).toEqual([400, 'INVALID_LICENSE_KEY'])
      const wrongProduct = await cryptlex.update(id, { ...minimal(key, 1), productId: 'other-product' })
      expect([wrongProduct.status, wrongProduct.body.code]).toEqual([400, 'INVALID_PRODUCT_ID'])
      const wrongMachine = await cryptlex.update(id, { ...minimal(key, 1), fingerprint: fingerprintOf(2) })
      expect([wrongMachine.status, wrongMachine.body.code]).toEqual([400, 'INVALID_ACTIVATION_FINGERPRINT'])
      for (const unknown of ['00000000-0000-4000-8000-000000000000', 'constructor']) {
        const res = await cryptlex.update(unknown, minimal(key, 1))
        expect(res.status).toBe(404)
        expect(res.body).toEqual({ code: 'ACTIVATION_NOT_FOUND', message: 'No activation has this id.' })
      }
    })
  })

  describe('deactivate', () => {
    it('deactivates with 204 within deactivations_allowed, frees the place, then refuses with 409', async () => {
      const { key } = await license('V3-DELETE', { deactivations_allowed: 1, activations_allowed: 1 })
      const first = await activated(key, 1)
      const res = await cryptlex.deactivate(first.id)
      expect(res.status).toBe(204)
      expect(res.text).toBe('')
      expect((await cryptlex.get(first.id)).status).toBe(404)
      expect((await cryptlex.deactivate(first.id)).status).toBe(404)
      expect((await api.get(`/license-orders/${key}`)).body).toMatchObject({ activated_licenses_count: 0, deactivations_left: 0 })
      const second = await activated(key, 2)
      const refused = await cryptlex.deactivate(second.id)
      expect(refused.status).toBe(409)
      expect(refused.body.code).toBe('DEACTIVATION_LIMIT_REACHED')
      expect((await cryptlex.get(second.id)).status).toBe(200)
    })
  })

  describe('authentication and scope', () => {
    it('activates, updates and deactivates with no credential: the license key (or the activation id) is what authenticates', async () => {
      const { key, orderId } = await license('V3-OPEN')
      const other = await license('V3-OPEN-OTHER')
      const anonymous = cryptlexClient(server, null)
      const res = await anonymous.activate(activationBody(key, 1))
      expect(res.status, res.text).toBe(200)
      const id = String((await verifyActivationToken(server, res.body.activationToken)).aid)
      // The events name the key holder as their actor, not a vendor credential.
      const [activatedEvent] = (await orderEvents(server, orderId)).filter(({ event }) => event.type === 'MachineActivated')
      expect(activatedEvent!.metadata.actor).toBe('license-key')
      // PATCH must name the key of the activation's license.
      const wrongKey = await anonymous.update(id, activationBody(other.key, 1, { hostname: 'hijacked' }))
      expect([wrongKey.status, wrongKey.body.code]).toEqual([400, 'INVALID_LICENSE_KEY'])
      const patched = await anonymous.update(id, activationBody(key, 1, { hostname: 'renamed' }))
      expect(patched.status, patched.text).toBe(200)
      expect((await cryptlex.get(id)).body.hostname).toBe('renamed')
      // Reading an activation is a vendor's business: it needs a credential.
      const read = await anonymous.get(id)
      expect([read.status, read.body.code]).toEqual([401, 'MISSING_ACCESS_TOKEN'])
      expect((await anonymous.deactivate(id)).status).toBe(204)
      expect((await anonymous.deactivate(id)).status).toBe(404)
      expect((await anonymous.update('00000000-0000-4000-8000-000000000000', activationBody(key, 1))).status).toBe(404)
    })

    it('takes property names in any casing (Key, OS, fingerPrint, metadata Key/Value), and refuses one sent twice in two casings', async () => {
      const { key } = await license('V3-CASING')
      const anonymous = cryptlexClient(server, null)
      const body = activationBody(key, 1)
      const pascal = Object.fromEntries(Object.entries({ ...body, metadata: [{ Key: 'seat', VALUE: 'desk 5' }] }).map(([name, value]) => [name[0]!.toUpperCase() + name.slice(1), value]))
      const { Os: _os, ...rest } = pascal
      const res = await anonymous.activate({ ...rest, OS: 'linux' })
      expect(res.status, res.text).toBe(200)
      const id = String((await verifyActivationToken(server, res.body.activationToken)).aid)
      expect((await cryptlex.get(id)).body).toMatchObject({ os: 'linux', hostname: 'host-1', metadata: [{ key: 'seat', value: 'desk 5' }] })
      const twice = await anonymous.activate({ ...body, Key: key })
      expect([twice.status, twice.body]).toEqual([400, { code: 'VALIDATION_FAILED', message: 'key is sent twice, as key and as Key' }])
      const nested = await anonymous.activate({ ...body, metadata: [{ key: 'a', KEY: 'b', value: '' }] })
      expect([nested.status, nested.body]).toEqual([400, { code: 'VALIDATION_FAILED', message: 'metadata[0].key is sent twice, as key and as KEY' }])
    })

    it('answers an invalid bearer token with 401 and WWW-Authenticate: Bearer, even on an activation', async () => {
      const { key } = await license('V3-AUTH')
      const invalid = cryptlexClient(server, 'lk_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')
      for (const res of [await invalid.activate(activationBody(key, 1)), await invalid.get('some-id')]) {
        expect([res.status, res.body.code]).toEqual([401, 'INVALID_ACCESS_TOKEN'])
        expect(res.headers.get('www-authenticate')).toBe('Bearer')
      }
    })

    it("lets a product-scoped key act on its product's licenses only (403 elsewhere, for every method)", async () => {
      const mine = await license('V3-SCOPE-MINE')
      const theirs = await license('V3-SCOPE-THEIRS', { product_template_id: otherTemplateId })
      const { id: theirActivation } = await activated(theirs.key, 1, { productId: 'other-product' })
      const scoped = cryptlexClient(server, (await issueKey(api, { product_id: '1' })).token)

      const res = await scoped.activate(activationBody(mine.key, 1))
      expect(res.status, res.text).toBe(200)
      const myActivation = String((await verifyActivationToken(server, res.body.activationToken)).aid)
      expect((await scoped.get(myActivation)).status).toBe(200)

      const forbidden = { code: 'FORBIDDEN', message: 'This access token may not act on this license.' }
      const post = await scoped.activate(activationBody(theirs.key, 2, { productId: 'other-product' }))
      expect([post.status, post.body]).toEqual([403, forbidden])
      const get = await scoped.get(theirActivation)
      expect([get.status, get.body]).toEqual([403, forbidden])
      const patch = await scoped.update(theirActivation, activationBody(theirs.key, 1, { productId: 'other-product', hostname: 'hijacked' }))
      expect([patch.status, patch.body]).toEqual([403, forbidden])
      const del = await scoped.deactivate(theirActivation)
      expect([del.status, del.body]).toEqual([403, forbidden])
      expect((await cryptlex.get(theirActivation)).body.hostname).toBe('host-1')

      const licenseScoped = cryptlexClient(server, (await issueKey(api, { activation_key: mine.key })).token)
      expect((await licenseScoped.get(myActivation)).status).toBe(200)
      expect((await licenseScoped.get(theirActivation)).status).toBe(403)
    })
  })

  describe('the dialect', () => {
    it('answers a body that is not JSON, an unknown path and a wrong method in {code, message}', async () => {
      const notJson = await client(server).call('POST', '/v3/activations', undefined, { raw: '{', headers: { 'content-type': 'application/json' } })
      expect(notJson.status).toBe(400)
      expect(notJson.body).toEqual({ code: 'BAD_REQUEST', message: 'the request body is not valid JSON' })
      const text = await client(server).call('POST', '/v3/activations', undefined, { raw: 'x', headers: { 'content-type': 'text/plain' } })
      expect(text.status).toBe(415)
      expect(text.body.code).toBe('UNSUPPORTED_MEDIA_TYPE')
      const wrongMethod = await client(server).put('/v3/activations/abc', {})
      expect(wrongMethod.status).toBe(405)
      expect(wrongMethod.body.code).toBe('METHOD_NOT_ALLOWED')
      expect(wrongMethod.headers.get('allow')).toBe('GET, PATCH, DELETE')
      const unknown = await client(server).get('/v3/activations/abc/def')
      expect(unknown.status).toBe(404)
      expect(unknown.body.code).toBe('NOT_FOUND')
    })

    it('replays a write sent again with the same Idempotency-Key', async () => {
      const { key, orderId } = await license('V3-IDEMPOTENT')
      const first = await cryptlex.activate(activationBody(key, 1), { 'idempotency-key': 'activate-1' })
      const again = await cryptlex.activate(activationBody(key, 1), { 'idempotency-key': 'activate-1' })
      expect(again.status).toBe(200)
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      expect(again.body).toEqual(first.body)
      expect(await eventsOfType(server, orderId, 'MachineActivated')).toHaveLength(1)
    })

    it('never answers 500 nor logs a server error across these tests', () => {
      expect(server.logs.filter((line) => (line.level as number) >= 50)).toEqual([])
    })
  })
})
