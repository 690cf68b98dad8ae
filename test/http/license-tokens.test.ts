// License tokens clients verify offline (Ed25519 JWTs, public keys at
// /.well-known/jwks.json), the signing key's life across restarts, and
// seats and leases surviving a restart.
import { generateKeyPairSync } from 'node:crypto'
import { statSync } from 'node:fs'
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { babelClient, clientBody, eventsOfType, orderEvents, tokenId, verifyWithJwks } from '../support/babel.js'
import { setUpLicense } from '../support/fixtures.js'
import { useEngines } from '../support/engine.js'
import { client } from '../support/server.js'

const { start } = useEngines()

describe('license tokens', () => {
  it('publishes the Ed25519 public key at /.well-known/jwks.json, kid being its JWK thumbprint, without credentials', async () => {
    const server = await start()
    const res = await client(server).get('/.well-known/jwks.json', { token: null })
    expect(res.status).toBe(200)
    const [key] = res.body.keys as Record<string, string>[]
    expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' })
    expect(key!.kid).toBe(await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: key!.x! }))
  })

  it('issues tokens that verify with only the published public key, and a tampered or foreign one does not', async () => {
    const server = await start()
    await setUpLicense(client(server), 'TOKEN-VERIFY')
    const babel = babelClient(server)
    const res = await babel('request', clientBody('TOKEN-VERIFY', 1))
    const token = res.body.licenseToken as string
    const now = server.clock.now()

    const claims = await verifyWithJwks(server, token, now)
    expect(claims).toMatchObject({
      iss: 'licensing-engine',
      sub: res.body.license.licenseId,
      kind: 'seat',
      client: { id: 'client-1', name: 'Client 1' },
      machine: { id: 'machine-1' },
      iat: now.getTime() / 1000,
      exp: res.body.tokenExpireAt.seconds,
      license: { id: res.body.license.licenseId, mode: 'floating' },
      features: [{ name: 'Licstat', version: '6.0', count: 15 }],
    })

    const [header, , signature] = token.split('.')
    const altered = Buffer.from(JSON.stringify({ ...claims, features: [{ name: 'Everything', version: '*', count: 1000, expiresAt: null }] })).toString('base64url')
    await expect(verifyWithJwks(server, [header, altered, signature].join('.'), now)).rejects.toThrow(/signature/)

    const jwks = (await client(server).get('/.well-known/jwks.json')).body
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: jwks.keys[0].kid })
      .sign(generateKeyPairSync('ed25519').privateKey)
    await expect(jwtVerify(foreign, createLocalJWKSet(jwks), { currentDate: now })).rejects.toThrow(/signature/)
    const refused = await babel('heartbeat', { licenseToken: foreign })
    expect(refused.status).toBe(400)
    expect(refused.body.code).toBe('INVALID_LICENSE_TOKEN')
  })

  it('generates the signing key on first start and keeps it in the data directory, readable by the owner only', async () => {
    const server = await start()
    const mode = statSync(server.dir.file('signing-key.pem')).mode & 0o777
    expect(mode).toBe(0o600)
    const kid = (await client(server).get('/.well-known/jwks.json')).body.keys[0].kid
    const again = await server.restart()
    expect((await client(again).get('/.well-known/jwks.json')).body.keys[0].kid).toBe(kid)
  })

  it('signs with the key given in LICENSING_SIGNING_KEY (PKCS#8 PEM) instead', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const server = await start({ config: { signingKey: pem } })
    const expected = await calculateJwkThumbprint(publicKey.export({ format: 'jwk' }) as { kty: 'OKP'; crv: 'Ed25519'; x: string })
    expect((await client(server).get('/.well-known/jwks.json')).body.keys[0].kid).toBe(expected)
    expect(() => statSync(server.dir.file('signing-key.pem'))).toThrow()
  })
})

describe('a restart', () => {
  it('keeps every seat and lease: tokens still verify and heartbeat, and leases that ran out while it was down are expired at their end', async () => {
    const first = await start()
    const api = client(first)
    await setUpLicense(api, 'RESTART-KEY')
    const babel = babelClient(first)
    const t0 = first.clock.now().getTime()

    const kept = (await babel('request', clientBody('RESTART-KEY', 1))).body
    const lost = (await babel('request', clientBody('RESTART-KEY', 2))).body
    const activated = (await babel('activate', clientBody('RESTART-KEY', 3))).body
    const orderId = kept.license.licenseId as string
    first.clock.advance(100_000)
    const renewed = await babel('heartbeat', { licenseToken: kept.licenseToken })
    expect(renewed.body.tokenExpireAt.seconds).toBe(t0 / 1000 + 280)

    await first.stop()
    // Down for a while: seat 2's lease (t0 + 180 s) runs out, seat 1's (t0 + 280 s) does not.
    first.clock.advance(150_000)
    const second = await first.restart()
    const after = babelClient(second)
    // The sweep at start runs beside the server, not before it listens: wait for it.
    await second.running.seatSweeper.sweep()

    const expired = (await orderEvents(second, orderId)).filter((e) => e.event.type === 'SeatExpired')
    expect(expired).toHaveLength(1)
    expect(expired[0]!.event.data).toMatchObject({ seatId: tokenId(lost.licenseToken), clientId: 'client-2', at: new Date(t0 + 180_000).toISOString() })
    expect(expired[0]!.metadata.actor).toBe('system:seat-sweeper')

    const now = second.clock.now()
    await expect(verifyWithJwks(second, activated.licenseToken, now)).resolves.toMatchObject({ kind: 'activation', machine: { id: 'machine-3' } })
    await expect(verifyWithJwks(second, kept.licenseToken, new Date(t0))).resolves.toMatchObject({ kind: 'seat', machine: { id: 'machine-1' } })
    const beat = await after('heartbeat', { licenseToken: kept.licenseToken })
    expect(beat.body).toMatchObject({ active: true, activeClientCount: 2, tokenExpireAt: { seconds: now.getTime() / 1000 + 180, nanos: 0 } })
    expect((await after('heartbeat', { licenseToken: lost.licenseToken })).body.active).toBe(false)
    expect((await after('validate', clientBody('RESTART-KEY', 3))).body.code).toBe('VALID')
    expect((await client(second).get('/license-orders/RESTART-KEY')).body.activated_licenses_count).toBe(1)
    expect(await eventsOfType(second, orderId, 'SeatGranted')).toHaveLength(2)
  })

  it('sweeps lapsed seats in the background at the configured interval', async () => {
    const server = await start({ config: { seatSweepIntervalMs: 20 } })
    await setUpLicense(client(server), 'SWEEP-KEY')
    const granted = (await babelClient(server)('request', clientBody('SWEEP-KEY', 1))).body
    // Past the lease and its grace (10 s at the defaults).
    server.clock.advance(191_000)
    const orderId = granted.license.licenseId as string
    // The job runs on a real timer; wait (bounded) for it rather than for the lease.
    for (let i = 0; i < 200 && (await eventsOfType(server, orderId, 'SeatExpired')).length === 0; i += 1) await new Promise((r) => setTimeout(r, 10))
    const [expired] = await eventsOfType(server, orderId, 'SeatExpired')
    expect(expired?.data.at).toBe(new Date(server.clock.now().getTime() - 11_000).toISOString())
  })
})
