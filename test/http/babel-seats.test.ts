// Seed 002's floating seats over real HTTP (request, heartbeat, release),
// against a real server and SQLite file, with the test clock for leases.
import { beforeAll, describe, expect, it } from 'vitest'
import { babelClient, clientBody, eventsOfType, orderEvents, seatEvents, tokenId } from '../support/babel.js'
import { createCustomer, createTemplate, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

describe('floating seats (seed 002) over HTTP', () => {
  const server = useEngine()
  const api = client(server)
  const babel = babelClient(server)
  let customerId: number
  let templateId: number

  beforeAll(async () => {
    customerId = await createCustomer(api)
    templateId = await createTemplate(api, '1')
  })

  /** A license order with these terms; returns its key and order id. */
  const license = async (key: string, change: Record<string, unknown> = {}): Promise<{ key: string; orderId: string }> => {
    const created = await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: key, ...change })
    expect(created.status, created.text).toBe(201)
    const info = await babel('info', { userKey: key })
    expect(info.status, info.text).toBe(200)
    return { key, orderId: info.body.licenseId as string }
  }

  const seconds = (s: number) => ({ seconds: Math.floor(server.clock.now().getTime() / 1000) + s, nanos: 0 })

  it('grants a seat with a token, a lease of three intervals and the heartbeat interval, in the documented shape', async () => {
    const { key, orderId } = await license('SEAT-SHAPE')
    const res = await babel('request', clientBody(key, 1))
    expect(res.status, res.text).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(Object.keys(res.body)).toEqual(['granted', 'licenseToken', 'tokenExpireAt', 'heartbeatInterval', 'activeClientCount', 'maxClientCount', 'license'])
    expect(res.body).toMatchObject({
      granted: true,
      tokenExpireAt: seconds(180),
      heartbeatInterval: { seconds: 60, nanos: 0 },
      activeClientCount: 1,
      maxClientCount: 10,
      license: { licenseId: orderId, licensingMode: 2 },
    })
    expect(res.body.licenseToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    const [granted] = await eventsOfType(server, orderId, 'SeatGranted')
    expect(granted?.data).toMatchObject({ clientId: 'client-1', machineId: 'machine-1', clientName: 'Client 1', at: server.clock.now().toISOString() })
  })

  it('gives a client that holds a seat the same seat when it asks again, with no second grant', async () => {
    const { key, orderId } = await license('SEAT-AGAIN')
    const first = await babel('request', clientBody(key, 1))
    server.clock.advance(10_000)
    const again = await babel('request', clientBody(key, 1))
    expect(again.body.granted).toBe(true)
    expect(tokenId(again.body.licenseToken)).toBe(tokenId(first.body.licenseToken))
    expect(again.body.activeClientCount).toBe(1)
    expect(await eventsOfType(server, orderId, 'SeatGranted')).toHaveLength(1)
  })

  it('tells the client its next deadline in every heartbeat, and renews the lease with every heartbeat at the interval', async () => {
    const { key, orderId } = await license('SEAT-BEAT')
    const granted = await babel('request', clientBody(key, 1))
    const token = granted.body.licenseToken as string
    const grantedAt = server.clock.now().getTime()

    // Less than half an interval after the grant: the lease stays as it was.
    server.clock.advance(20_000)
    const early = await babel('heartbeat', { licenseToken: token, machineId: 'machine-1', clientId: 'client-1', clientName: 'Client 1' })
    expect(early.status, early.text).toBe(200)
    expect(Object.keys(early.body)).toEqual(['active', 'activeClientCount', 'maxClientCount', 'tokenExpireAt', 'heartbeatInterval'])
    expect(early.body).toEqual({
      active: true,
      activeClientCount: 1,
      maxClientCount: 10,
      tokenExpireAt: { seconds: grantedAt / 1000 + 180, nanos: 0 },
      heartbeatInterval: { seconds: 60, nanos: 0 },
    })

    server.clock.advance(40_000)
    const renewed = await babel('heartbeat', { licenseToken: token })
    expect(renewed.body.tokenExpireAt).toEqual(seconds(180))
    // Renewed in the seat's own stream, not the license's.
    expect((await seatEvents(server, tokenId(token))).map((e) => e.event.type)).toEqual(['SeatLeaseStarted', 'SeatLeaseRenewed'])
    expect(await eventsOfType(server, orderId, 'SeatLeaseRenewed')).toHaveLength(0)
  })

  it('keeps a seat alive as long as heartbeats come, far beyond the first lease', async () => {
    const { key } = await license('SEAT-ALIVE')
    const token = (await babel('request', clientBody(key, 1))).body.licenseToken as string
    for (let i = 0; i < 20; i += 1) {
      server.clock.advance(60_000)
      const beat = await babel('heartbeat', { licenseToken: token })
      expect(beat.body.active).toBe(true)
    }
  })

  it('releases a seat, frees its place, and answers a second release the same way without writing anything', async () => {
    const { key, orderId } = await license('SEAT-RELEASE', { activations_allowed: 1 })
    const token = (await babel('request', clientBody(key, 1))).body.licenseToken as string
    expect((await babel('request', clientBody(key, 2))).body.granted).toBe(false)

    const released = await babel('release', { licenseToken: token, machineId: 'machine-1', clientId: 'client-1', clientName: 'Client 1' })
    expect(released.status, released.text).toBe(200)
    expect(released.body).toEqual({ licenseId: orderId, activeClientCount: 0, maxClientCount: 1 })
    const again = await babel('release', { licenseToken: token })
    expect(again.body).toEqual(released.body)
    expect(await eventsOfType(server, orderId, 'SeatReleased')).toHaveLength(1)

    const beat = await babel('heartbeat', { licenseToken: token })
    expect(beat.body.active).toBe(false)
    expect((await babel('request', clientBody(key, 2))).body.granted).toBe(true)
  })

  it('answers a full license with granted: false, and records one denial per client per minute however often it asks', async () => {
    const { key, orderId } = await license('SEAT-FULL', { activations_allowed: 1 })
    await babel('request', clientBody(key, 1))
    for (let i = 0; i < 10; i += 1) {
      const denied = await babel('request', clientBody(key, 2))
      expect(denied.status).toBe(200)
      expect(denied.body).toMatchObject({ granted: false, licenseToken: null, tokenExpireAt: null, activeClientCount: 1, maxClientCount: 1 })
      server.clock.advance(1_000)
    }
    expect(await eventsOfType(server, orderId, 'SeatRequestDenied')).toHaveLength(1)
    server.clock.advance(60_000)
    await babel('request', clientBody(key, 2))
    const denials = await eventsOfType(server, orderId, 'SeatRequestDenied')
    expect(denials.map((d) => d.data.clientId)).toEqual(['client-2', 'client-2'])
    expect(denials[0]!.data).toMatchObject({ active: 1, limit: 1 })
  })

  it('frees the place of a seat whose client stopped heartbeating, and records its expiry at the time the lease ran out', async () => {
    const { key, orderId } = await license('SEAT-DEAD', { activations_allowed: 1 })
    const dead = (await babel('request', clientBody(key, 1))).body.licenseToken as string
    const leaseEnd = new Date(server.clock.now().getTime() + 180_000)

    // Its lease runs out at 180 s; it holds its place through the grace (10 s at the defaults), not a moment longer.
    server.clock.advance(189_000)
    expect((await babel('request', clientBody(key, 2))).body.granted).toBe(false)
    server.clock.advance(2_000)
    const taken = await babel('request', clientBody(key, 2))
    expect(taken.body).toMatchObject({ granted: true, activeClientCount: 1 })

    const [expired] = await eventsOfType(server, orderId, 'SeatExpired')
    expect(expired?.data).toMatchObject({ clientId: 'client-1', machineId: 'machine-1', at: leaseEnd.toISOString(), recordedAt: server.clock.now().toISOString() })
    // Written in the same append as the grant it made room for, before it.
    const types = (await orderEvents(server, orderId)).map((e) => e.event.type)
    expect(types.slice(-2)).toEqual(['SeatExpired', 'SeatGranted'])

    const beat = await babel('heartbeat', { licenseToken: dead })
    expect(beat.body).toMatchObject({ active: false, tokenExpireAt: { seconds: leaseEnd.getTime() / 1000, nanos: 0 } })
    const validate = await babel('validate', clientBody(key, 1))
    expect(validate.body).toMatchObject({ success: false, code: 'HEARTBEAT_DEAD', licenseToken: null })
  })

  it('lets the sweeper record the expiry of seats nobody asks about', async () => {
    const { key, orderId } = await license('SEAT-SWEEP')
    await babel('request', clientBody(key, 1))
    const leaseEnd = new Date(server.clock.now().getTime() + 180_000).toISOString()
    server.clock.advance(300_000)
    expect(await server.running.seatSweeper.sweep()).toBeGreaterThanOrEqual(1)
    const events = (await orderEvents(server, orderId)).filter((e) => e.event.type === 'SeatExpired')
    expect(events).toHaveLength(1)
    expect(events[0]!.event.data).toMatchObject({ at: leaseEnd, clientId: 'client-1' })
    expect(events[0]!.metadata.actor).toBe('system:seat-sweeper')
    expect(await server.running.seatSweeper.sweep()).toBe(0)
  })

  it('never grants more seats than the order allows: 200 concurrent requests at a 10-seat license, then release and re-grant', async () => {
    const { key, orderId } = await license('SEAT-RACE', { activations_allowed: 10 })
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => babel('request', clientBody(key, i))))
    expect(results.every((r) => r.status === 200)).toBe(true)
    const granted = results.filter((r) => r.body.granted === true)
    expect(granted).toHaveLength(10)
    expect(Math.max(...results.map((r) => r.body.activeClientCount as number))).toBe(10)
    expect(await eventsOfType(server, orderId, 'SeatGranted')).toHaveLength(10)

    const releases = await Promise.all(granted.map((r) => babel('release', { licenseToken: r.body.licenseToken })))
    expect(releases.every((r) => r.status === 200)).toBe(true)
    expect(releases.map((r) => r.body.activeClientCount as number).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])

    const again = await Promise.all(Array.from({ length: 50 }, (_, i) => babel('request', clientBody(key, 1000 + i))))
    expect(again.filter((r) => r.body.granted === true)).toHaveLength(10)
    expect(await eventsOfType(server, orderId, 'SeatGranted')).toHaveLength(20)
  })

  it('applies per-order seat settings set through the admin endpoint to new grants', async () => {
    const { key } = await license('SEAT-SETTINGS')
    expect((await api.get(`/license-orders/${key}/seat-settings`)).body).toEqual({ heartbeat_interval_seconds: 60, lease_seconds: 180, defaults: true })
    const put = await api.put(`/license-orders/${key}/seat-settings`, { heartbeat_interval_seconds: 20 })
    expect(put.status, put.text).toBe(200)
    expect(put.body).toEqual({ heartbeat_interval_seconds: 20, lease_seconds: 60, defaults: false })
    const res = await babel('request', clientBody(key, 1))
    expect(res.body).toMatchObject({ tokenExpireAt: seconds(60), heartbeatInterval: { seconds: 20, nanos: 0 } })

    const tooShort = await api.put(`/license-orders/${key}/seat-settings`, { heartbeat_interval_seconds: 20, lease_seconds: 30 })
    expect(tooShort.status).toBe(400)
    expect(tooShort.body.errors).toEqual({ lease_seconds: ['must be at least 50 (two and a half heartbeat intervals)'] })
    const bad = await api.put(`/license-orders/${key}/seat-settings`, { heartbeat_interval_seconds: 1 })
    expect(bad.body.errors).toEqual({ heartbeat_interval_seconds: ['must be at least 5'] })
    expect((await api.put('/license-orders/NO-SUCH-KEY/seat-settings', { heartbeat_interval_seconds: 20 })).status).toBe(404)
  })

  it('keeps a seat through two lost heartbeats in a row, the next arriving 9 s late; a third lost ends it', async () => {
    const { key, orderId } = await license('SEAT-MARGIN', { activations_allowed: 1 })
    const token = (await babel('request', clientBody(key, 1))).body.licenseToken as string
    const grantedAt = server.clock.now().getTime()
    const beat = async (atSeconds: number): Promise<Record<string, unknown>> => {
      server.clock.set(new Date(grantedAt + atSeconds * 1000))
      const res = await babel('heartbeat', { licenseToken: token, machineId: 'machine-1', clientId: 'client-1' })
      expect(res.status, res.text).toBe(200)
      return res.body
    }
    const deadline = (atSeconds: number) => ({ seconds: grantedAt / 1000 + atSeconds, nanos: 0 })

    expect(await beat(60)).toMatchObject({ active: true, tokenExpireAt: deadline(240) })
    // 120 s and 180 s are lost; the one due at 240 s (the deadline) comes 9 s late, inside the grace.
    expect(await beat(249)).toMatchObject({ active: true, activeClientCount: 1, tokenExpireAt: deadline(429) })
    expect((await babel('validate', clientBody(key, 1))).body.code).toBe('VALID')
    expect(await beat(300)).toMatchObject({ active: true, tokenExpireAt: deadline(480) })
    // 360 s, 420 s and 480 s are lost: the lease ran out at 480 s, the grace at 490 s.
    expect(await beat(540)).toMatchObject({ active: false, tokenExpireAt: deadline(480) })
    expect((await babel('validate', clientBody(key, 1))).body.code).toBe('HEARTBEAT_DEAD')

    // The renewals are the seat's own stream's; its expiry is in both, at the moment the lease ran out.
    const renewals = (await seatEvents(server, tokenId(token))).map((e) => e.event)
    expect(renewals.filter((e) => e.type === 'SeatLeaseRenewed').map((e) => e.data.at)).toEqual(
      [60, 249, 300].map((s) => new Date(grantedAt + s * 1000).toISOString()),
    )
    expect(renewals.filter((e) => e.type === 'SeatLeaseExpired').map((e) => e.data.at)).toEqual([new Date(grantedAt + 480_000).toISOString()])
    const written = (await orderEvents(server, orderId)).map((e) => e.event)
    expect(written.filter((e) => e.type === 'SeatLeaseRenewed')).toEqual([])
    expect(written.filter((e) => e.type === 'SeatExpired').map((e) => e.data.at)).toEqual([new Date(grantedAt + 480_000).toISOString()])
    expect((await babel('request', clientBody(key, 2))).body.granted).toBe(true)
  })

  it('answered everything above without a server error', async () => {
    expect(server.logs.filter((line) => (line.level as number) >= 50)).toEqual([])
  })

  it('writes about 60 events per seat per hour at the default settings, with a heartbeat every interval, all in the seat\'s own stream', async () => {
    const { key, orderId } = await license('SEAT-HOUR')
    const token = (await babel('request', clientBody(key, 1))).body.licenseToken as string
    const before = (await orderEvents(server, orderId)).length
    const seatBefore = (await seatEvents(server, tokenId(token))).length
    for (let beat = 1; beat <= 60; beat += 1) {
      server.clock.advance(60_000)
      expect((await babel('heartbeat', { licenseToken: token })).body.active).toBe(true)
    }
    // The license's stream does not grow with heartbeats.
    expect((await orderEvents(server, orderId)).slice(before)).toEqual([])
    const written = (await seatEvents(server, tokenId(token))).slice(seatBefore).map((e) => e.event.type)
    // Renewed by every heartbeat: at 60 s, 120 s, ... 3600 s.
    expect(written).toEqual(Array.from({ length: 60 }, () => 'SeatLeaseRenewed'))
  })

})
