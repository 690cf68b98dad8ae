// Issue 13's hostile requests, one regression test each: bodies nested too
// deep, members nobody declared, a key reserved before a fault, meter names
// that are Object's own, one principal behind its header's spellings (x-api-key too), a
// license key moving its license to another product, a port in use, the data
// directory's modes, webhook targets on private networks, and seed 000 telling
// which clients exist.
import { statSync, readdirSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_STORE_CONFIG, DEFAULT_WEBHOOK_CONFIG } from '../../src/config.js'
import { MAX_BODY_DEPTH } from '../../src/http/body-limits.js'
import { webhookTargets } from '../../src/webhooks/targets.js'
import { babelClient, clientBody } from '../support/babel.js'
import { useEngine, useEngines } from '../support/engine.js'
import { faultyStore } from '../support/faulty-store.js'
import { createCustomer, createTemplate, issueKey, seedOrder, setUpLicense } from '../support/fixtures.js'
import { licensesUpdate } from '../support/dna.js'
import { refusedStart } from '../support/process.js'
import { ADMIN_TOKEN, client } from '../support/server.js'
import { makeTempDir } from '../support/tmp.js'

/** `{"a":{"a":...}}` nested `levels` deep, as text (JSON.stringify would overflow on the way). */
const nested = (levels: number, leaf = '1'): string => `${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`
/** `[[[...]]]`: 12,000 levels in 24 kB, within the size limit. */
const nestedArrays = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`

describe('hostile bodies', () => {
  const server = useEngine({ config: { trustProxy: true } })
  const api = client(server)
  const head = async () => server.running.store.headPosition()

  it('refuses a body nested deeper than the limit with 400 naming it, with or without an Idempotency-Key, and writes nothing', async () => {
    const before = await head()
    const deep = nestedArrays(12_000)
    const withKey = await api.post('/customers', undefined, { raw: deep, headers: { 'content-type': 'application/json', 'idempotency-key': 'deep-1' } })
    expect(withKey.status, withKey.text).toBe(400)
    expect(withKey.text).toContain(`${MAX_BODY_DEPTH} levels`)
    // The body parser refuses it, key or none: the same answer either way.
    const withoutKey = await api.post('/customers', undefined, { raw: deep, headers: { 'content-type': 'application/json' } })
    expect({ status: withoutKey.status, body: withoutKey.body }).toEqual({ status: withKey.status, body: withKey.body })
    const orders = await api.post('/license-orders', undefined, { raw: deep, headers: { 'content-type': 'application/json', 'idempotency-key': 'deep-2' } })
    expect(orders.status, orders.text).toBe(400)
    expect(orders.body.detail).toContain(`${MAX_BODY_DEPTH} levels`)
    const ordersWithoutKey = await api.post('/license-orders', undefined, { raw: deep, headers: { 'content-type': 'application/json' } })
    expect({ status: ordersWithoutKey.status, body: ordersWithoutKey.body }).toEqual({ status: orders.status, body: orders.body })
    // Just within the limit is a body like any other (refused here for its content, not its depth).
    const within = await api.post('/customers', undefined, { raw: nested(MAX_BODY_DEPTH - 1), headers: { 'content-type': 'application/json' } })
    expect(within.status).toBe(400)
    expect(within.text).not.toContain('levels')
    expect(await head()).toEqual(before)
    // Seed 004 counts it as an invalid attempt of its source (that is written), and refuses it the same way.
    const seed004 = await api.patch('/v1/Licenses/1/KEY', undefined, { raw: nestedArrays(6_000), token: null, headers: { 'content-type': 'application/json' } })
    expect(seed004.status).toBe(400)
    expect(seed004.body.Message).toContain(`${MAX_BODY_DEPTH} levels`)
    const seed004WithKey = await api.patch('/v1/Licenses/1/KEY', undefined, {
      raw: nestedArrays(6_000),
      token: null,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'deep-3' },
    })
    expect({ status: seed004WithKey.status, body: seed004WithKey.body }).toEqual({ status: seed004.status, body: seed004.body })
  })

  it('refuses members a write does not declare, naming each (seed 001: drops them, as its DRF service does), and never stores them', async () => {
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api)
    const before = await head()
    const customer = await api.post('/customers', { name: 'A', extra: 1 })
    expect(customer.status, customer.text).toBe(400)
    expect(JSON.stringify(customer.body)).toContain('extra')
    const seed000 = await api.patch(`/api/v2/clients/${customerId}/license`, { serialNumber: 'SN-1', junk: true })
    expect(seed000.status, seed000.text).toBe(400)
    expect(JSON.stringify(seed000.body)).toContain('junk')
    expect(await head()).toEqual(before)

    // Seed 001 ignores what it does not declare, as Django REST framework does: a client that PATCHes back what
    // it read (with its read-only members) keeps working; none of it reaches the log.
    const feature = (seedOrder(customerId, templateId).Features as Record<string, unknown>[])[0]!
    const order = await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: 'JUNK-1', hostileJunk: 'x', Features: [{ ...feature, colour: 'red' }] })
    expect(order.status, order.text).toBe(201)
    const proto = await api.post('/license-orders', undefined, {
      raw: JSON.stringify({ ...seedOrder(customerId, templateId), activation_key: 'JUNK-2' }).replace(/^\{/, '{"__proto__":{"x":1},'),
      headers: { 'content-type': 'application/json' },
    })
    expect(proto.status, proto.text).toBe(201)
    const read = (await api.get('/license-orders/JUNK-1')).body
    const roundTrip = await api.patch('/license-orders/JUNK-1', { ...read, customer_id: customerId, product_template_id: templateId, activations_allowed: 7 })
    expect(roundTrip.status, roundTrip.text).toBe(200)
    const written = await server.running.store.readAll({ ...(before === null ? {} : { from: before }), maxCount: 1_000 })
    const stored = JSON.stringify(written.map((event) => event.data))
    expect(written.length).toBeGreaterThan(0)
    for (const junk of ['hostileJunk', 'colour', '__proto__', '"x":1']) expect(stored).not.toContain(junk)
  })

  it('keeps a meter attribute named __proto__ like any other name', async () => {
    const { key } = await setUpLicense(api, 'PROTO-METERS')
    const defined = await api.put(`/license-orders/${key}/meter-attributes`, [
      { name: '__proto__', allowed_uses: 3 },
      { name: 'constructor', allowed_uses: 4 },
    ])
    expect(defined.status, defined.text).toBe(200)
    expect((await api.get(`/license-orders/${key}/meter-attributes`)).body).toEqual([
      { name: '__proto__', allowed_uses: 3, uses: 0 },
      { name: 'constructor', allowed_uses: 4, uses: 0 },
    ])
  })

  it('scopes an Idempotency-Key by the principal, not by how its header is spelled', async () => {
    const key = await issueKey(api, 'admin')
    const send = (headers: Record<string, string>) =>
      api.post('/customers', { name: 'Once Only' }, { token: null, headers: { 'idempotency-key': 'spelled-twice', ...headers } })
    const first = await send({ authorization: `Bearer ${key.token}` })
    expect(first.status, first.text).toBe(201)
    const second = await send({ authorization: `bearer  ${key.token}` })
    expect(second.status).toBe(201)
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    expect(second.body.id).toBe(first.body.id)
    // Another principal with the same key is another request.
    const other = await api.post('/customers', { name: 'Once Only' }, { headers: { 'idempotency-key': 'spelled-twice' } })
    expect(other.status).toBe(201)
    expect(other.body.id).not.toBe(first.body.id)

    // Seed 002 takes the key in x-api-key too: the same principal, so the same request.
    const { key: userKey } = await setUpLicense(api, 'SPELLED-1')
    const activate = (credential: { apiKey: string } | { bearer: string }) =>
      babelClient(server, credential)('activate', clientBody(userKey, 1), { 'idempotency-key': 'spelled-thrice' })
    const bearer = await activate({ bearer: key.token })
    expect(bearer.status, bearer.text).toBe(200)
    const apiKey = await activate({ apiKey: key.token })
    expect(apiKey.status, apiKey.text).toBe(200)
    expect(apiKey.headers.get('idempotent-replayed')).toBe('true')
    expect(apiKey.body).toEqual(bearer.body)
  })

  it('lets a license-scoped key change its terms within its product, never move it to another', async () => {
    const { customerId, templateId, key } = await setUpLicense(api, 'SCOPED-MOVE')
    const otherTemplate = await createTemplate(api, 'elsewhere', 'Elsewhere')
    const scoped = await issueKey(api, { activation_key: key })
    const moved = await api.patch(`/license-orders/${key}`, { ...seedOrder(customerId, otherTemplate), activations_allowed: 100_000 }, { token: scoped.token })
    expect(moved.status).toBe(403)
    expect((await api.get(`/license-orders/${key}`)).body.product_template.id).toBe(String(templateId))
    const within = await api.patch(`/license-orders/${key}`, { ...seedOrder(customerId, templateId), activations_allowed: 7 }, { token: scoped.token })
    expect(within.status, within.text).toBe(200)
    expect(within.body.activations_allowed).toBe('7')
  })

  it('answers a seed 000 client outside the key’s reach as one that does not exist', async () => {
    const { customerId } = await setUpLicense(api, 'SEED000-REACH', 'reach-product')
    const scoped = await issueKey(api, { product_id: 'another-product' })
    const outside = await api.patch(`/api/v2/clients/${customerId}/license`, { serialNumber: 'X' }, { token: scoped.token })
    const missing = await api.patch('/api/v2/clients/987654/license', { serialNumber: 'X' }, { token: scoped.token })
    expect(outside.status).toBe(404)
    expect(missing.status).toBe(404)
    expect(outside.body).toEqual({ ...missing.body, details: missing.body.details.replace('987654', String(customerId)) })
  })

  it('counts unknown members against seed 004’s parameters (400 naming them)', async () => {
    const key = await issueKey(api, 'admin')
    const update = licensesUpdate(api, { clientId: key.id, apiKey: key.token })
    const res = await update('1', 'NO-SUCH', { NewEmail: 'a@example.com', UserIp: '203.0.113.9', Sneaky: 1 })
    expect(res.status).toBe(400)
    expect(res.body.Message).toContain('Sneaky')
  })
})

describe('a key reservation after a fault', () => {
  const faults = faultyStore()
  const server = useEngine({ wrapStore: faults.wrap, config: { store: { ...DEFAULT_STORE_CONFIG, retryBudgetMs: 50 } } })
  const api = client(server)

  it('is given back when the order’s append fails, so that a clean retry creates the order', async () => {
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api)
    faults.failAppendsTo((stream) => stream.startsWith('order-'))
    const failed = await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: 'FAULTED-KEY' })
    expect(failed.status).toBe(503)
    faults.restore()
    const retried = await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: 'FAULTED-KEY' })
    expect(retried.status, retried.text).toBe(201)
  })
})

describe('private files', () => {
  const dir = makeTempDir('modes')
  const server = useEngine(() => ({ dir: { ...dir, path: join(dir.path, 'data') } }))
  afterAll(() => dir.remove())

  it('creates the data directory 0700 and every file in it 0600', async () => {
    await setUpLicense(client(server), 'MODES-KEY')
    const walk = (path: string): string[] => readdirSync(path, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [join(path, e.name), ...walk(join(path, e.name))] : [join(path, e.name)]))
    expect(statSync(server.dir.path).mode & 0o777).toBe(0o700)
    const files = walk(server.dir.path)
    expect(files.map((path) => path.slice(server.dir.path.length + 1))).toEqual(expect.arrayContaining(['events.sqlite', 'read-models.sqlite']))
    const open = files.filter((path) => (statSync(path).mode & 0o077) !== 0)
    expect(open).toEqual([])
  })
})

describe('webhook targets', () => {
  const server = useEngine({ config: { webhooks: { ...DEFAULT_WEBHOOK_CONFIG, allowPrivateTargets: false } } })
  const api = client(server)

  it('refuses loopback, link-local and private receivers at registration and on a change, naming the variable that allows them', async () => {
    for (const url of ['http://127.0.0.1:9/hook', 'http://localhost:9/hook', 'http://[::1]/hook', 'http://169.254.169.254/latest', 'http://10.1.2.3/', 'http://192.168.0.1/', 'http://[::ffff:127.0.0.1]/']) {
      const res = await api.post('/webhooks', { url, events: ['*'] })
      expect(res.status, url).toBe(400)
      expect(JSON.stringify(res.body)).toContain('WEBHOOK_ALLOW_PRIVATE_TARGETS')
    }
    const registered = await api.post('/webhooks', { url: 'http://203.0.113.10/hook', events: ['*'] })
    expect(registered.status, registered.text).toBe(201)
    const changed = await api.patch(`/webhooks/${registered.body.id}`, { url: 'http://127.0.0.1:9/hook' })
    expect(changed.status).toBe(400)
  })

  it('checks the addresses a name resolves to at each use: a name that moves to a private address is refused then', async () => {
    const answers = [['203.0.113.7'], ['10.0.0.7']]
    const check = webhookTargets(false, async () => answers.shift()!)
    expect(await check('https://hooks.example.com/x', 'allowed')).toBeNull()
    expect(await check('https://hooks.example.com/x', 'refused')).toMatch(/private/)
    expect(await webhookTargets(true)('http://127.0.0.1/', 'refused')).toBeNull()
  })
})

describe('start-up with the port in use', () => {
  let holder: Server
  let port: number
  const engines = useEngines()
  beforeAll(async () => {
    holder = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    port = (holder.address() as { port: number }).port
  })
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())))

  it('ends the process with one clear line and exit code 1', async () => {
    const dir = engines.dir('port-in-use')
    const refused = await refusedStart({ PORT: String(port), LICENSING_DATA_DIR: dir.path, LICENSING_ADMIN_TOKEN: ADMIN_TOKEN }, 30_000)
    expect(refused.code).toBe(1)
    const lines = refused.stderr.trim().split('\n')
    expect(lines).toEqual([`licensing serve: cannot listen on 127.0.0.1:${port}: the port is already in use (EADDRINUSE)`])
  }, 40_000)
})
