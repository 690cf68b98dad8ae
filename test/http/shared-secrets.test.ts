// Several engine nodes on one event store (issue 10): nodes configured with the
// same secrets honour each other's license tokens and open each other's webhook
// secrets; after a rotation the previous keys still verify and open, the new
// ones sign and seal; and a node that can share its log refuses to start
// without the secrets it would otherwise make up for itself.
// A second node reading the log the first one wrote is a second engine started
// on a copy of that log in a data directory of its own.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs'
import { calculateJwkThumbprint, decodeProtectedHeader } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_WEBHOOK_CONFIG, type Config } from '../../src/config.js'
import { babelClient, clientBody, verifyWithJwks } from '../support/babel.js'
import type { TestClock } from '../support/clock.js'
import { useEngines } from '../support/engine.js'
import { setUpLicense } from '../support/fixtures.js'
import { refusedStart } from '../support/process.js'
import { client, type TestServer } from '../support/server.js'
import type { TempDir } from '../support/tmp.js'
import { eventually, startReceiver, verifies, type Receiver } from '../support/webhook-receiver.js'

const newSigningKey = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey }
}
const kidOf = (key: ReturnType<typeof newSigningKey>): Promise<string> =>
  calculateJwkThumbprint(key.publicKey.export({ format: 'jwk' }) as { kty: 'OKP'; crv: 'Ed25519'; x: string })
const newWebhookKey = (): string => randomBytes(32).toString('base64')

const engines = useEngines()
const engine = (config: Partial<Config>, clock?: TestClock, dir?: TempDir): Promise<TestServer> =>
  engines.start({ config, ...(clock === undefined ? {} : { clock }), ...(dir === undefined ? {} : { dir }) })
/** Another node on the log `from` wrote: a fresh data directory holding a copy of that log and nothing else. */
const nodeOnLogOf = (from: TestServer, config: Partial<Config>): Promise<TestServer> => {
  const dir = engines.dir('node-b')
  for (const name of readdirSync(from.dir.path).filter((file) => file.startsWith('events.sqlite'))) copyFileSync(from.dir.file(name), dir.file(name))
  return engine(config, from.clock, dir)
}
const jwks = async (server: TestServer): Promise<{ keys: { kid: string }[] }> => (await client(server).get('/.well-known/jwks.json', { token: null })).body

describe('license tokens across nodes', () => {
  it('given two engines with the same signing key, then they publish the same JWK set and a token of one verifies with the other’s', async () => {
    const key = newSigningKey()
    const a = await engine({ signingKey: key.pem })
    const b = await engine({ signingKey: key.pem })
    await setUpLicense(client(a), 'SHARED-JWKS')
    const granted = (await babelClient(a)('request', clientBody('SHARED-JWKS', 1))).body

    expect(await jwks(b)).toEqual(await jwks(a))
    expect((await jwks(b)).keys.map((k) => k.kid)).toEqual([await kidOf(key)])
    await expect(verifyWithJwks(b, granted.licenseToken, a.clock.now())).resolves.toMatchObject({ kind: 'seat', machine: { id: 'machine-1' } })
    // An engine that made up its own key does not know the token: what the shared key is for.
    const own = await engine({})
    await expect(verifyWithJwks(own, granted.licenseToken, a.clock.now())).rejects.toThrow(/no applicable key/)
  })

  it('given a node on the same log with the same key, then it honours the seat token another node issued; with a key of its own it refuses it', async () => {
    const key = newSigningKey()
    const a = await engine({ signingKey: key.pem })
    await setUpLicense(client(a), 'SHARED-SEAT')
    const granted = (await babelClient(a)('request', clientBody('SHARED-SEAT', 1))).body
    await a.stop()

    const b = await nodeOnLogOf(a, { signingKey: key.pem })
    const beat = await babelClient(b)('heartbeat', { licenseToken: granted.licenseToken })
    expect(beat.status, beat.text).toBe(200)
    expect(beat.body).toMatchObject({ active: true, activeClientCount: 1 })
    expect((await babelClient(b)('release', { licenseToken: granted.licenseToken })).status).toBe(200)

    // The problem as measured: each node with its own generated key.
    const alone = await nodeOnLogOf(a, {})
    const refused = await babelClient(alone)('heartbeat', { licenseToken: granted.licenseToken })
    expect(refused.status).toBe(400)
    expect(refused.body.code).toBe('INVALID_LICENSE_TOKEN')
  })

  it('given a rotation, then tokens of the previous key still verify and heartbeat, new tokens are signed with the new key, and the JWK set lists both', async () => {
    const previous = newSigningKey()
    const current = newSigningKey()
    const a = await engine({ signingKey: previous.pem })
    await setUpLicense(client(a), 'ROTATED-KEY')
    const old = (await babelClient(a)('request', clientBody('ROTATED-KEY', 1))).body.licenseToken as string
    expect(decodeProtectedHeader(old).kid).toBe(await kidOf(previous))
    await a.stop()

    // A second PEM block, given twice and as the current key, is listed once.
    const b = await nodeOnLogOf(a, { signingKey: current.pem, previousSigningKeys: `${previous.pem}${previous.pem}${current.pem}` })
    const babel = babelClient(b)
    expect((await jwks(b)).keys.map((k) => k.kid)).toEqual([await kidOf(current), await kidOf(previous)])
    const now = b.clock.now()
    await expect(verifyWithJwks(b, old, now)).resolves.toMatchObject({ kind: 'seat', client: { id: 'client-1' } })
    expect((await babel('heartbeat', { licenseToken: old })).body).toMatchObject({ active: true })

    const again = (await babel('request', clientBody('ROTATED-KEY', 1))).body.licenseToken as string
    const other = (await babel('request', clientBody('ROTATED-KEY', 2))).body.licenseToken as string
    for (const token of [again, other]) {
      expect(decodeProtectedHeader(token).kid).toBe(await kidOf(current))
      await expect(verifyWithJwks(b, token, now)).resolves.toMatchObject({ kind: 'seat' })
    }
    expect((await babel('heartbeat', { licenseToken: again })).status).toBe(200)

    // Once the previous key is dropped, its tokens are refused as any unknown key's.
    const retired = await nodeOnLogOf(b, { signingKey: current.pem })
    expect((await jwks(retired)).keys.map((k) => k.kid)).toEqual([await kidOf(current)])
    const refused = await babelClient(retired)('heartbeat', { licenseToken: old })
    expect(refused.status).toBe(400)
    expect(refused.body.code).toBe('INVALID_LICENSE_TOKEN')
    expect((await babelClient(retired)('heartbeat', { licenseToken: other })).status).toBe(200)
  })
})

describe('webhook secrets across nodes', () => {
  let receiver: Receiver
  afterEach(async () => receiver.close())

  const delivering = (secretKey: string | null, previousSecretKeys: readonly string[] = []) => ({
    webhooks: { ...DEFAULT_WEBHOOK_CONFIG, secretKey, previousSecretKeys, pollIntervalMs: 20, timeoutMs: 5_000, retryBaseMs: 60_000 },
  })
  /** Registers an endpoint (the engine generates its secret) for license orders created. */
  const register = async (server: TestServer, path: string): Promise<{ id: string; secret: string }> => {
    const res = await client(server).post('/webhooks', { url: `${receiver.url}${path}`, events: ['license-order.created'] })
    expect(res.status, res.text).toBe(201)
    return { id: res.body.id, secret: res.body.secret }
  }
  const lastError = (server: TestServer, endpointId: string) =>
    eventually(async () => {
      const [delivery] = (await client(server).get(`/webhooks/${endpointId}/deliveries`)).body.items as { last_error: string | null }[]
      return delivery?.last_error ?? undefined
    }, 5_000, 'a failed attempt')

  it('given a secret sealed with a configured key, then a second engine with that key opens it and signs with it; one with another key does not', async () => {
    receiver = await startReceiver()
    const key = newWebhookKey()
    // Node A registers and records; it does not deliver (as a node with WEBHOOKS_ENABLED=false).
    const a = await engine({ webhooks: { ...DEFAULT_WEBHOOK_CONFIG, secretKey: key, enabled: false } })
    const endpoint = await register(a, '/sealed-by-a')
    await setUpLicense(client(a), 'SEALED-BY-A')
    await a.stop()

    const other = await nodeOnLogOf(a, delivering(newWebhookKey()))
    expect(await lastError(other, endpoint.id)).toMatch(/^the signing secret was sealed with another key \([0-9a-f]{16}\); set LICENSING_WEBHOOK_SECRET_KEY/)
    expect(receiver.at('/sealed-by-a')).toEqual([])

    const b = await nodeOnLogOf(a, delivering(key))
    const [delivery] = await receiver.received(1, '/sealed-by-a')
    expect(delivery!.json).toMatchObject({ event: 'license-order.created', data: { activation_key: 'SEALED-BY-A' } })
    expect(verifies(endpoint.secret, delivery!)).toBe(true)
    expect(b.rawLogs()).not.toContain(key)
  })

  it('given a rotation, then secrets sealed with the previous key still open, and new ones are sealed with the new key', async () => {
    receiver = await startReceiver()
    const previous = newWebhookKey()
    const current = newWebhookKey()
    const a = await engine({ webhooks: { ...DEFAULT_WEBHOOK_CONFIG, secretKey: previous, enabled: false } })
    const before = await register(a, '/before')
    await a.stop()

    const b = await nodeOnLogOf(a, delivering(current, [newWebhookKey(), previous]))
    const after = await register(b, '/after')
    await setUpLicense(client(b), 'ROTATED-WEBHOOK-1')
    const [first] = await receiver.received(1, '/before')
    const [second] = await receiver.received(1, '/after')
    expect(verifies(before.secret, first!)).toBe(true)
    expect(verifies(after.secret, second!)).toBe(true)
    await b.stop()

    // Without the previous key, only the secret sealed after the rotation opens (a fresh outbox delivers the history again).
    const c = await nodeOnLogOf(b, delivering(current))
    const [, again] = await receiver.received(2, '/after')
    expect(again!.json).toMatchObject({ data: { activation_key: 'ROTATED-WEBHOOK-1' } })
    expect(verifies(after.secret, again!)).toBe(true)
    expect(await lastError(c, before.id)).toMatch(/sealed with another key/)
    expect(receiver.at('/before')).toHaveLength(1)
  })
})

describe('starting a node', () => {
  const NO_SECRETS = { LICENSING_ADMIN_TOKEN: '', LICENSING_SIGNING_KEY: '', LICENSING_WEBHOOK_SECRET_KEY: '', LOG_LEVEL: 'info' }

  it('refuses, with one line naming what is missing and why, when EventStoreDB is configured and secrets are not', async () => {
    const dir = engines.dir('refused')
    const key = newSigningKey()
    const esdb = { ...NO_SECRETS, LICENSING_DATA_DIR: dir.path, EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:1?tls=false' }
    const [none, noWebhookKey] = await Promise.all([
      refusedStart(esdb),
      refusedStart({ ...esdb, LICENSING_ADMIN_TOKEN: 'a-shared-admin-token-0123', LICENSING_SIGNING_KEY: key.pem }),
    ])
    expect(none).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'configuration error: several nodes can write to this event log (EVENTSTORE_CONNECTION_STRING is set), so they must share their secrets: set LICENSING_ADMIN_TOKEN, LICENSING_SIGNING_KEY and LICENSING_WEBHOOK_SECRET_KEY to the same values on every node\n',
    })
    expect(noWebhookKey).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'configuration error: several nodes can write to this event log (EVENTSTORE_CONNECTION_STRING is set), so they must share their secrets: set LICENSING_WEBHOOK_SECRET_KEY to the same values on every node\n',
    })
    // Refused before anything was made up for it.
    expect(readdirSync(dir.path)).toEqual([])
  }, 60_000)

  it('given one node on its own log, then it starts without them, generating each into its data directory, and logs none', async () => {
    const dir = engines.dir('single')
    const single = await engines.spawn({ ...NO_SECRETS, LICENSING_DATA_DIR: dir.path, EVENTSTORE_CONNECTION_STRING: '' })
    expect((await fetch(`${single.url}/healthz`)).status).toBe(200)
    for (const file of ['admin-token', 'signing-key.pem', 'webhook-secret-key']) expect(existsSync(dir.file(file)), file).toBe(true)
    for (const file of ['admin-token', 'webhook-secret-key']) expect(single.output()).not.toContain(readFileSync(dir.file(file), 'utf8').trim())
    expect(single.output()).not.toContain('PRIVATE KEY')
  }, 60_000)
})
