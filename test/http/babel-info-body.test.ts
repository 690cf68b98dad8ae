// Seed 002's info, sent as the bytes each live seat's entry is kept as
// (src/http/babel/info.ts): the very JSON the answer built the plain way
// encodes to, on every call, after a renewal, a release, a revocation, a
// change of the license's terms (which changes every token) and a lapse, and over HTTP.
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { systemMeta } from '../../src/application/metadata.js'
import { createServices, type Services } from '../../src/application/services.js'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { CustomerProfileInput } from '../../src/domain/customer/index.js'
import type { Seat } from '../../src/domain/order/index.js'
import { encodedLicenseInfo, licenseInfo } from '../../src/http/babel/info.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { seedTerms } from '../domain/fixtures.js'
import { babelClient, clientBody, tokenId } from '../support/babel.js'
import { testClock, type TestClock } from '../support/clock.js'
import { useEngine } from '../support/engine.js'
import { createCustomer, createTemplate, seedOrder } from '../support/fixtures.js'
import { client } from '../support/server.js'
import { makeTempDir } from '../support/tmp.js'

const meta = systemMeta('test', 'test')
const KEY = 'INFO-BYTES'

const right = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(JSON.stringify(either.left))
  return either.right
}

/** A license on a real SQLite log, handed to `run` with the engine's services, closed afterwards. */
const onLicense = async (run: (license: { readonly services: Services; readonly clock: TestClock; readonly orderId: string }) => Promise<void>): Promise<void> => {
  const dir = makeTempDir('info-bytes')
  const clock = testClock()
  const store = createSqliteEventStore({ path: dir.file('events.sqlite'), clock: clock.now })
  try {
    const services = createServices({ store, clock: clock.now, adminToken: null })
    const session = services.session()
    right(await services.customers.create(session, { type: 'CreateCustomer', profile: right(CustomerProfileInput.decode({ name: 'Rivers Inc' })) }, meta))
    right(await services.productTemplates.create(session, { type: 'CreateProductTemplate', name: 'Trial', productId: '1' }, meta))
    const admin = { credentialId: 'test', scope: { kind: 'admin' as const } }
    const order = right(await services.orders.create(session, admin, { terms: seedTerms, activationKey: KEY as ActivationKey }, meta))
    await run({ services, clock, orderId: order.orderId })
  } finally {
    await store.close()
    dir.remove()
  }
}

type Entry = { readonly token: string | null; readonly clientId: string; readonly revoked: boolean; readonly expireAt: { readonly seconds: number } }

/** The claims of a token, read without verifying. */
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number; features: { version: string }[] }

describe('seed 002 info as kept bytes', () => {
  it('is the JSON of the answer built the plain way, through renewals, releases, revocations and a change of terms', async () => {
    await onLicense(async ({ services, clock, orderId }) => {
      const { usage, orders } = services
      /** Info as the route sends it, compared with the answer built the plain way from the same state; the answer. */
      const info = async (): Promise<{ readonly licenseTokens: readonly Entry[] }> => {
        const session = services.session()
        const order = await usage.live(session, (await orders.findByKey(session, KEY))!)
        const now = clock.now()
        const sent = Buffer.concat(await encodedLicenseInfo(usage, order, now)).toString('utf8')
        expect(sent).toBe(JSON.stringify(await licenseInfo(usage, order, now)))
        return JSON.parse(sent)
      }
      const seats: Seat[] = []
      for (const n of [1, 2, 3, 4]) {
        const { seat } = right(await usage.request(services.session(), { type: 'RequestSeat', orderId, clientId: `client-${n}`, machineId: `machine-${n}`, clientName: `Client ${n}`, clientAddr: null }, meta))
        seats.push(seat!)
        clock.advance(1_000)
      }
      const tokenOf = (answer: { readonly licenseTokens: readonly Entry[] }, clientId: string) => answer.licenseTokens.find((t) => t.clientId === clientId && !t.revoked)?.token

      const first = await info()
      expect(first.licenseTokens.map((t) => t.clientId)).toEqual(['client-1', 'client-2', 'client-3', 'client-4'])
      // Again, from what was kept: the same bytes (compared inside), the same tokens.
      expect(await info()).toEqual(first)

      // Half an interval on, a heartbeat renews seat 1's lease: its entry and its token (a new exp) change.
      clock.advance(31_000)
      const beat = right(await usage.heartbeat(services.session(), { type: 'HeartbeatSeat', orderId, seatId: seats[0]!.seatId, clientId: 'client-1', machineId: 'machine-1' }, meta))
      expect(beat.written).toBe(1)
      const renewed = await info()
      const entry = (answer: typeof renewed, clientId: string) => answer.licenseTokens.find((t) => t.clientId === clientId)!
      expect(entry(renewed, 'client-1').expireAt.seconds).toBeGreaterThan(entry(first, 'client-1').expireAt.seconds)
      expect(tokenOf(renewed, 'client-1')).not.toBe(tokenOf(first, 'client-1'))
      expect(claimsOf(tokenOf(renewed, 'client-1')!).exp).toBe(entry(renewed, 'client-1').expireAt.seconds)
      expect(tokenOf(renewed, 'client-2')).toBe(tokenOf(first, 'client-2'))

      // Seat 2 released, seat 3's token revoked: neither is listed live; the revoked one is listed without its token.
      right(await usage.release(services.session(), { type: 'ReleaseSeat', orderId, seatId: seats[1]!.seatId, clientId: 'client-2', machineId: 'machine-2' }, meta))
      right(await usage.revokeToken(services.session(), { type: 'RevokeLicenseToken', orderId, tokenId: seats[2]!.seatId }, meta))
      const after = await info()
      expect(after.licenseTokens.map((t) => [t.clientId, t.revoked])).toEqual([
        ['client-1', false],
        ['client-4', false],
        ['client-3', true],
      ])
      expect(entry(after, 'client-3').token).toBeNull()

      // The license's terms change (a feature's version): every token says so, and changes.
      const admin = { credentialId: 'test', scope: { kind: 'admin' as const } }
      right(await orders.update(services.session(), admin, { type: 'UpdateOrder', orderId, terms: { ...seedTerms, Features: [{ ...seedTerms.Features[0]!, version: '7.0' }] } }, meta))
      const changed = await info()
      for (const clientId of ['client-1', 'client-4']) {
        expect(tokenOf(changed, clientId)).not.toBe(tokenOf(after, clientId))
        expect(claimsOf(tokenOf(changed, clientId)!).features.map((f) => f.version)).toEqual(['7.0'])
        expect(tokenId(tokenOf(changed, clientId)!)).toBe(tokenId(tokenOf(after, clientId)!))
      }
      expect(await info()).toEqual(changed)

      // Seat 4's lease runs out unrenewed while seat 1 beats on: the order still holds seat 4 (no sweep yet), info lists it no more.
      clock.advance(100_000)
      right(await usage.heartbeat(services.session(), { type: 'HeartbeatSeat', orderId, seatId: seats[0]!.seatId, clientId: 'client-1', machineId: 'machine-1' }, meta))
      clock.advance(100_000)
      const lapsed = (await info()) as Awaited<ReturnType<typeof info>> & { readonly activeClientCount: number }
      expect(lapsed.licenseTokens.map((t) => t.clientId)).toEqual(['client-1', 'client-3'])
      expect(lapsed.activeClientCount).toBe(1)
    })
  })
})

describe('seed 002 info over HTTP', () => {
  const server = useEngine()
  const api = client(server)
  const babel = babelClient(server)

  it('answers compact JSON with its length, listing each live seat with the token it was issued', async () => {
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api, '1')
    expect((await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: 'INFO-HTTP' })).status).toBe(201)
    const tokens: string[] = []
    for (const n of [1, 2, 3]) tokens.push((await babel('request', clientBody('INFO-HTTP', n))).body.licenseToken as string)
    for (let call = 0; call < 2; call++) {
      const answer = await babel('info', { userKey: 'INFO-HTTP' })
      expect(answer.status).toBe(200)
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8')
      expect(Number(answer.headers.get('content-length'))).toBe(Buffer.byteLength(answer.text))
      expect(answer.text).toBe(JSON.stringify(answer.body))
      expect((answer.body.licenseTokens as { token: string }[]).map((t) => t.token)).toEqual(tokens)
    }
  })
})
