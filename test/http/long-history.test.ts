// A license with a long history of floating-seat use (hundreds of heartbeats,
// grants, releases, a denial and an expiry over four hours of test-clock
// time), then asked about its past: seed 002's info `asOf` and the seat-usage
// report must tell exactly what the script below did, whatever the engine
// keeps in which stream, and whether a load starts from a snapshot or not.
// The seat that expires never heartbeats, so its end does not depend on how
// often a lease is renewed.
import { beforeAll, describe, expect, it } from 'vitest'
import { babelClient, clientBody } from '../support/babel.js'
import { createCustomer, createTemplate, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

const KEY = 'LONG-HISTORY'
const MINUTE = 60_000

describe('asOf and seat-usage reports on a long history', () => {
  const server = useEngine()
  const api = client(server)
  const babel = babelClient(server)
  const at: Record<string, string> = {}
  const tokens: Record<number, string> = {}
  let start = 0

  const request = async (n: number): Promise<boolean> => {
    const res = await babel('request', clientBody(KEY, n))
    expect(res.status, res.text).toBe(200)
    if (res.body.granted === true) tokens[n] = res.body.licenseToken as string
    return res.body.granted as boolean
  }
  const holder = (n: number) => ({ licenseToken: tokens[n]!, machineId: `machine-${n}`, clientId: `client-${n}` })
  const beat = async (n: number): Promise<void> => {
    const res = await babel('heartbeat', holder(n))
    expect(res.body.active, `client ${n} at ${server.clock.now().toISOString()}`).toBe(true)
  }
  const release = async (n: number): Promise<void> => {
    expect((await babel('release', holder(n))).status).toBe(200)
  }
  /** Every minute until `minutes` after the start, the holders beat. */
  const beatUntil = async (minutes: number, holders: () => readonly number[]): Promise<void> => {
    while (server.clock.now().getTime() < start + minutes * MINUTE) {
      server.clock.advance(MINUTE)
      for (const n of holders()) await beat(n)
    }
  }

  beforeAll(async () => {
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api, '1')
    expect((await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: KEY, activations_allowed: 3 })).status).toBe(201)
    start = server.clock.now().getTime()
    const held = new Set<number>()
    // +0: clients 1 and 2 take seats and beat every minute.
    for (const n of [1, 2]) expect(await request(n)).toBe(true)
    held.add(1).add(2)
    await beatUntil(60, () => [...held])
    // +60: client 3 takes the last seat and is never heard of again; client 4 is refused.
    expect(await request(3)).toBe(true)
    expect(await request(4)).toBe(false)
    at.threeHeld = new Date(start + 61 * MINUTE).toISOString()
    at.thirdLapsed = new Date(start + 70 * MINUTE).toISOString()
    await beatUntil(120, () => [...held])
    // +120: client 1 gives its seat back, client 4 takes one and beats until +210, then releases.
    await release(1)
    held.delete(1)
    expect(await request(4)).toBe(true)
    held.add(4)
    at.twoAndFour = new Date(start + 150 * MINUTE).toISOString()
    await beatUntil(210, () => [...held])
    await release(4)
    held.delete(4)
    at.twoAlone = new Date(start + 225 * MINUTE).toISOString()
    await beatUntil(240, () => [...held])
    // +240: client 2 gives its seat back; nobody holds one.
    await release(2)
    at.none = new Date(start + 241 * MINUTE).toISOString()
    server.clock.advance(MINUTE)
  }, 120_000)

  const heldAt = async (instant: string): Promise<string[]> => {
    const res = await babel('info', { userKey: KEY, asOf: instant })
    expect(res.status, res.text).toBe(200)
    return (res.body.licenseTokens as { clientId: string; revoked: boolean }[]).filter((t) => !t.revoked).map((t) => t.clientId).sort()
  }

  it('answers who held the seats at any instant of it', async () => {
    expect(await heldAt(at.threeHeld!)).toEqual(['client-1', 'client-2', 'client-3'])
    expect(await heldAt(at.thirdLapsed!)).toEqual(['client-1', 'client-2'])
    expect(await heldAt(at.twoAndFour!)).toEqual(['client-2', 'client-4'])
    expect(await heldAt(at.twoAlone!)).toEqual(['client-2'])
    expect(await heldAt(at.none!)).toEqual([])
  })

  it('reports every hour of it as the script used it', async () => {
    const hour = (h: number) => new Date(start + h * 60 * MINUTE).toISOString()
    const res = await api.get(`/reports/seat-usage?activation_key=${KEY}&from=${hour(0)}&to=${hour(4)}&bucket=hour`)
    expect(res.status, res.text).toBe(200)
    const rows = (res.body.rows as Record<string, unknown>[]).map(({ start: _s, end: _e, ...figures }) => figures)
    expect(rows).toEqual([
      { peak_seats: 2, seat_hours: 2, grants: 2, releases: 0, expiries: 0, denials: 0 },
      // Client 3's lease (three minutes, never renewed) runs out at +63.
      { peak_seats: 3, seat_hours: 2.05, grants: 1, releases: 0, expiries: 1, denials: 1 },
      { peak_seats: 2, seat_hours: 2, grants: 1, releases: 1, expiries: 0, denials: 0 },
      { peak_seats: 2, seat_hours: 1.5, grants: 0, releases: 1, expiries: 0, denials: 0 },
    ])
    expect(res.body.totals).toEqual({ peak_seats: 3, seat_hours: 7.55, grants: 4, releases: 2, expiries: 1, denials: 1 })
  })
})
