// Floating seats with their liveness in streams of their own (seat-<id>):
// over real HTTP on one engine, what each stream records for a heartbeat,
// an expiry, a release and a revocation; the seat cap under many concurrent
// renewals, releases, expiries and requests, checked from the log itself;
// a crash between a seat's expiry on its own stream and on its order's; and
// a log written when renewals were in the order's stream.
import { join } from 'node:path'
import { v4 as uuid } from 'uuid'
import { beforeAll, describe, expect, it } from 'vitest'
import { ExpectedVersion, type NewEvent } from '../../src/store/port.js'
import { DEFAULT_STORE_CONFIG } from '../../src/config.js'
import { replayCommand } from '../../src/tools/replay.js'
import { babelClient, clientBody, eventsOfType, orderEvents, seatEvents, tokenId } from '../support/babel.js'
import { createLicense } from '../support/babel.js'
import { createCustomer, createTemplate } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { faultyStore } from '../support/faulty-store.js'
import { seatLog } from '../support/seat-log.js'
import { client } from '../support/server.js'

const typesOf = (events: readonly { readonly event: { readonly type: string } }[]) => events.map((e) => e.event.type)

/** A small deterministic random sequence, so a failing run can be run again. */
const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
  return seed / 2_147_483_648
}

describe('seat streams over HTTP, one engine', () => {
  const server = useEngine()
  const api = client(server)
  const babel = babelClient(server)
  let ids: { customerId: number; templateId: number }

  beforeAll(async () => {
    ids = { customerId: await createCustomer(api), templateId: await createTemplate(api, '1') }
  })
  const license = (key: string, allowed: number) => createLicense(api, babel, ids.customerId, ids.templateId, key, { activations_allowed: allowed })

  it('answers a heartbeat that finds its seat expired as inactive with its lease end, the expiry in the seat stream first, then the order', async () => {
    const { key, orderId } = await license('STREAMS-EXPIRE', 2)
    const token = (await babel('request', clientBody(key, 1))).body.licenseToken as string
    const leaseEnd = new Date(server.clock.now().getTime() + 180_000)
    server.clock.advance(200_000)
    const beat = await babel('heartbeat', { licenseToken: token })
    expect(beat.body).toMatchObject({ active: false, activeClientCount: 0, tokenExpireAt: { seconds: leaseEnd.getTime() / 1000, nanos: 0 } })
    const seat = await seatEvents(server, tokenId(token))
    expect(typesOf(seat)).toEqual(['SeatLeaseStarted', 'SeatLeaseExpired'])
    expect(seat[1]!.event.data).toMatchObject({ at: leaseEnd.toISOString(), recordedAt: server.clock.now().toISOString() })
    const [expired] = await eventsOfType(server, orderId, 'SeatExpired')
    expect(expired?.data).toMatchObject({ seatId: tokenId(token), at: leaseEnd.toISOString() })
    // Asked again: the same answer, nothing written twice.
    expect((await babel('heartbeat', { licenseToken: token })).body).toEqual(beat.body)
    expect(await seatEvents(server, tokenId(token))).toHaveLength(2)
    expect(await eventsOfType(server, orderId, 'SeatExpired')).toHaveLength(1)
  })

  it('ends a released seat in both streams, and a revoked one too', async () => {
    const { key, orderId } = await license('STREAMS-END', 2)
    const released = (await babel('request', clientBody(key, 1))).body.licenseToken as string
    const revoked = (await babel('request', clientBody(key, 2))).body.licenseToken as string
    server.clock.advance(10_000)
    expect((await babel('release', { licenseToken: released })).body).toMatchObject({ activeClientCount: 1 })
    expect(typesOf(await seatEvents(server, tokenId(released)))).toEqual(['SeatLeaseStarted', 'SeatLeaseEnded'])
    expect((await api.delete(`/license-orders/${key}/tokens/${tokenId(revoked)}`)).status).toBeLessThan(300)
    const ended = await seatEvents(server, tokenId(revoked))
    expect(typesOf(ended)).toEqual(['SeatLeaseStarted', 'SeatLeaseEnded'])
    expect(ended[1]!.event.data).toMatchObject({ reason: 'revoked' })
    expect(typesOf(await orderEvents(server, orderId)).slice(-2)).toEqual(['SeatReleased', 'LicenseTokenRevoked'])
    // Neither can be renewed now: the one is gone, the other refused.
    server.clock.advance(120_000)
    expect((await babel('heartbeat', { licenseToken: released })).body.active).toBe(false)
    expect((await babel('heartbeat', { licenseToken: revoked })).status).toBe(403)
    expect(await seatEvents(server, tokenId(released))).toHaveLength(2)
  })

  it('never exceeds the seat cap under many concurrent renewals, releases, expiries and requests, and never frees a seat its stream has not ended', async () => {
    const limit = 8
    const { key, orderId } = await license('STREAMS-STORM', limit)
    const next = random(9)
    let clients = 0
    const held = new Map<string, { token: string; beating: boolean }>()
    const take = (reply: { body: Record<string, unknown> }, n: number): void => {
      if (reply.body.granted === true) held.set(`c${n}`, { token: reply.body.licenseToken as string, beating: next() < 0.8 })
    }
    const counts: number[] = []
    for (let round = 0; round < 8; round += 1) {
      server.clock.advance(55_000 + Math.floor(next() * 20_000))
      const work: Promise<void>[] = []
      for (const [who, seat] of held) {
        const roll = next()
        if (roll < 0.15) {
          work.push(babel('release', { licenseToken: seat.token }).then((r) => {
            expect(r.status, r.text).toBe(200)
            counts.push(r.body.activeClientCount as number)
            held.delete(who)
          }))
        } else if (seat.beating) {
          // Some beat twice at once, as a client retrying does.
          for (let beat = roll < 0.4 ? 2 : 1; beat > 0; beat -= 1) {
            work.push(babel('heartbeat', { licenseToken: seat.token }).then((r) => {
              expect(r.status, r.text).toBe(200)
              counts.push(r.body.activeClientCount as number)
              if (r.body.active !== true) held.delete(who)
            }))
          }
        }
      }
      for (let ask = 0; ask < 12; ask += 1) {
        const n = (clients += 1)
        work.push(babel('request', clientBody(key, n)).then((r) => {
          expect(r.status, r.text).toBe(200)
          counts.push(r.body.activeClientCount as number)
          take(r, n)
        }))
      }
      work.push(server.running.seatSweeper.sweep().then(() => undefined))
      await Promise.all(work)
    }
    expect(Math.max(...counts)).toBeLessThanOrEqual(limit)
    const report = await seatLog(server.running.store, orderId)
    expect(report.grants).toBeGreaterThan(limit)
    expect(report.renewals).toBeGreaterThan(0)
    expect(report.renewalsInOrderStream).toBe(0)
    expect(report.freedEarly).toEqual([])
    expect(report.takings.filter((t) => t.alive > t.limit)).toEqual([])
    expect(Math.max(...report.takings.map((t) => t.alive))).toBe(limit)
  }, 120_000)

  it('answered everything above without a server error', () => {
    expect(server.logs.filter((line) => (line.level as number) >= 50)).toEqual([])
  })
})

describe('a crash between the two appends of an expiry', () => {
  const faults = faultyStore()
  const server = useEngine({ wrapStore: faults.wrap, config: { store: { ...DEFAULT_STORE_CONFIG, retryBudgetMs: 200 } } })
  const api = client(server)
  const babel = babelClient(server)

  it("over-counts the seat for a moment (never under-counts it) until the sweeper records the end its stream has", async () => {
    const { key, orderId } = await createLicense(api, babel, await createCustomer(api), await createTemplate(api, '1'), 'CRASH-KEY', { activations_allowed: 1 })
    const token = (await babel('request', clientBody(key, 1))).body.licenseToken as string
    const seatId = tokenId(token)
    server.clock.advance(200_000)
    // The seat's stream takes its expiry; the order's append never lands (the process died between the two).
    faults.failAppendsTo((stream) => stream === `order-${orderId}`)
    const crashed = await babel('heartbeat', { licenseToken: token })
    expect(crashed.status).toBe(503)
    expect(typesOf(await seatEvents(server, seatId))).toEqual(['SeatLeaseStarted', 'SeatLeaseExpired'])
    expect(await eventsOfType(server, orderId, 'SeatExpired')).toEqual([])
    // The order still counts the seat: another client cannot take its place meanwhile.
    const meanwhile = await babel('request', clientBody(key, 2))
    expect(meanwhile.status).toBe(503)
    expect(await eventsOfType(server, orderId, 'SeatGranted')).toHaveLength(1)
    // The process is back; the sweeper finds the seat its stream ended and the order records it, at the lease end.
    faults.restore()
    expect(await server.running.seatSweeper.sweep()).toBe(1)
    const [expired] = await eventsOfType(server, orderId, 'SeatExpired')
    expect(expired?.data).toMatchObject({ seatId, at: new Date(server.clock.now().getTime() - 20_000).toISOString() })
    expect(await seatEvents(server, seatId)).toHaveLength(2)
    expect((await babel('heartbeat', { licenseToken: token })).body).toMatchObject({ active: false, activeClientCount: 0 })
    expect((await babel('request', clientBody(key, 2))).body).toMatchObject({ granted: true, activeClientCount: 1 })
    const report = await seatLog(server.running.store, orderId)
    expect(report.freedEarly).toEqual([])
    expect(report.takings.every((t) => t.alive <= t.limit)).toBe(true)
  })
})

describe('a log written when renewals were in the order stream', () => {
  const server = useEngine()
  const api = client(server)
  const babel = babelClient(server)

  /** An event as the previous release stored it (schema version 1). */
  const old = (type: string, data: Record<string, unknown>): NewEvent => ({
    id: uuid(),
    type,
    data: data as NewEvent['data'],
    metadata: { schemaVersion: 1, actor: 'admin-token', correlationId: uuid(), causationId: null, requestId: null, clientIp: null, idempotencyKey: null },
  })

  it('loads, decides and replays it alike: its order-stream renewal holds the seat, then the seat renews and expires in its own stream', async () => {
    const { key, orderId } = await createLicense(api, babel, await createCustomer(api), await createTemplate(api, '1'), 'OLD-RENEWALS', { activations_allowed: 1 })
    const store = server.running.store
    const at = (ms: number) => new Date(server.clock.now().getTime() + ms).toISOString()
    const seatId = uuid()
    const holder = { orderId, seatId, clientId: 'client-1', machineId: 'machine-1' }
    // As the previous release wrote them: a grant, and a renewal at 120 s, in the order's own stream.
    const revision = (await store.readStream(`order-${orderId}`)).length - 1
    await store.appendToStream(
      `order-${orderId}`,
      [
        old('SeatGranted', { ...holder, clientName: 'Client 1', clientAddr: null, leaseExpiresAt: at(180_000), heartbeatIntervalSeconds: 60, at: at(0) }),
        old('SeatLeaseRenewed', { ...holder, leaseExpiresAt: at(300_000), heartbeatIntervalSeconds: 60, at: at(120_000) }),
      ],
      ExpectedVersion.exact(revision),
    )
    await server.restart()
    // Its token, as the previous release handed it out (info signs the tokens of live seats).
    const listed = (await babel('info', { userKey: key })).body.licenseTokens as { clientId: string; token: string }[]
    const token = listed.find((t) => t.clientId === 'client-1')!.token
    expect(tokenId(token)).toBe(seatId)

    // At 250 s the old renewal holds the seat: the license is full, and the info shows that lease.
    server.clock.advance(250_000)
    expect((await babel('request', clientBody(key, 2))).body).toMatchObject({ granted: false, activeClientCount: 1 })
    const info = await babel('info', { userKey: key })
    expect(info.body.licenseTokens.find((t: { clientId: string }) => t.clientId === 'client-1')).toMatchObject({ expireAt: { seconds: Date.parse(at(50_000)) / 1000, nanos: 0 } })
    // The next heartbeat renews it in its own stream (the order's stream takes no more renewals).
    const beat = await babel('heartbeat', { licenseToken: token })
    expect(beat.body).toMatchObject({ active: true, tokenExpireAt: { seconds: Date.parse(at(180_000)) / 1000, nanos: 0 } })
    expect(typesOf(await seatEvents(server, seatId))).toEqual(['SeatLeaseRenewed'])
    // Gone quiet, it expires at that lease's end, in its stream and then its order's.
    server.clock.advance(200_000)
    expect((await babel('request', clientBody(key, 2))).body).toMatchObject({ granted: true, activeClientCount: 1 })
    expect(typesOf(await seatEvents(server, seatId))).toEqual(['SeatLeaseRenewed', 'SeatLeaseExpired'])
    expect(typesOf(await orderEvents(server, orderId)).slice(-5)).toEqual(['SeatGranted', 'SeatLeaseRenewed', 'SeatRequestDenied', 'SeatExpired', 'SeatGranted'])
    const [expired] = await eventsOfType(server, orderId, 'SeatExpired')
    expect(expired?.data).toMatchObject({ seatId, at: at(-20_000) })
    // A replay of the whole log, old and new events, gives the read models the engine keeps (a read first waits for them to hold it all).
    expect((await api.get(`/license-orders/${key}`)).status).toBe(200)
    const head = await server.running.store.headPosition()
    const out: string[] = []
    const code = await replayCommand(['--verify', '--into', join(server.dir.path, 'replayed')], { LICENSING_DATA_DIR: server.dir.path }, { out: (text) => out.push(text), err: (text) => out.push(text) })
    expect(code, out.join('')).toBe(0)
    expect(out.join('')).toMatch(new RegExp(`^verified: the read models rebuilt from the log match the live ones \\(.*up to position ${head}\\)$`, 'm'))
  })
})
