// The history of a license's use, through the events other work added to the
// order stream (seed 004's e-mail, seed 002's activations and seats), which
// the audit log, the history and asOf cover with no code of their own.
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { replayCommand } from '../../src/tools/replay.js'
import { babelClient, clientBody } from '../support/babel.js'
import { licensesUpdate } from '../support/dna.js'
import { issueKey, setUpLicense } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

const PRODUCT = 'P2002'
const KEY = 'USED-LICENSE1'
const MINUTE = 60_000

interface Entry {
  type: string
  actor: string
  client_ip: string
  concerns: { order_ids: string[]; customer_ids: number[]; product_ids: string[] }
  changes?: unknown[]
  summary?: string
}

describe('the history of a license in use', () => {
  const server = useEngine({ config: { trustProxy: true, seatSweepIntervalMs: 0 } })
  const api = client(server)
  const babel = babelClient(server)
  let integration: { id: string; token: string }

  beforeAll(async () => {
    // Seed 004 reads the source address from X-Forwarded-For; seats are swept only when the test says so.
    await setUpLicense(api, KEY, PRODUCT)
    integration = await issueKey(api, 'admin')
    // 10:10 the license's e-mail is set (seed 004).
    server.clock.advance(10 * MINUTE)
    const update = licensesUpdate(api, { clientId: integration.id, apiKey: integration.token })
    expect((await update(PRODUCT, KEY, { NewEmail: 'ops@example.com', UserIp: '203.0.113.5' }, { from: '198.51.100.20' })).status).toBe(204)
    // 10:20 a floating seat for client 1 (a lease of three minutes), 10:21 a node-locked activation for client 2 (seed 002).
    server.clock.advance(10 * MINUTE)
    expect((await babel('request', clientBody(KEY, 1))).status).toBe(200)
    server.clock.advance(MINUTE)
    expect((await babel('activate', clientBody(KEY, 2))).status).toBe(200)
    server.clock.advance(30 * MINUTE)
  })

  const events = async (query: string): Promise<Entry[]> => {
    const res = await api.get(`/audit/events?license=${KEY}&${query}`)
    expect(res.status, res.text).toBe(200)
    return res.body.items as Entry[]
  }

  it("shows the e-mail's change as a change of the license, with who and from where", async () => {
    const [changed] = await events('type=LicenseEmailChanged')
    expect(changed).toMatchObject({
      actor: integration.id,
      client_ip: '198.51.100.20',
      changes: [{ field: 'email', old: null, new: 'ops@example.com' }],
      concerns: { customer_ids: [1], product_ids: [PRODUCT] },
    })
    const history = await api.get(`/license-orders/${KEY}/history?type=LicenseEmailChanged`)
    expect(history.body.items[0].summary).toBe(`email changed from nothing to "ops@example.com" by key ${integration.id} (198.51.100.20)`)
  })

  it('indexes seats and activations as events of the license, their own data telling what happened', async () => {
    const used = await events('type=SeatGranted&type=MachineActivated&order=asc')
    expect(used.map((e) => e.type)).toEqual(['SeatGranted', 'MachineActivated'])
    for (const entry of used) {
      expect(entry.concerns).toMatchObject({ customer_ids: [1], product_ids: [PRODUCT] })
      // Who uses the license is not a change of the license itself.
      expect(entry.changes).toBeUndefined()
    }
  })

  it('answers who held a seat, and which machines were activated, at an instant', async () => {
    const at = async (instant: string) => {
      const res = await api.get(`/license-orders/${KEY}?asOf=${instant}`)
      expect(res.status, res.text).toBe(200)
      return res.body as { activated_licenses_count: number; as_of: { email: string | null; seats: { client_id: string }[]; activations: { client_id: string }[] } }
    }
    const before = await at('2026-11-22T10:15:00Z')
    expect(before.as_of).toMatchObject({ email: 'ops@example.com', seats: [], activations: [] })
    const during = await at('2026-11-22T10:22:00Z')
    expect(during.as_of.seats).toEqual([
      expect.objectContaining({ client_id: 'client-1', machine_id: 'machine-1', client_name: 'Client 1', granted_at: '2026-11-22T10:20:00.000Z', lease_expires_at: '2026-11-22T10:23:00.000Z' }),
    ])
    expect(during.as_of.activations).toEqual([expect.objectContaining({ client_id: 'client-2', machine_id: 'machine-2', activated_at: '2026-11-22T10:21:00.000Z' })])
    expect(during.activated_licenses_count).toBe(1)
    // The lease ran out at 10:23, and nobody has written its expiry yet: the seat was no longer held.
    expect((await at('2026-11-22T10:24:00Z')).as_of.seats).toEqual([])
  })

  it('replays those events into read models that match the live ones', async () => {
    const out: string[] = []
    const code = await replayCommand(['--verify', '--into', join(server.dir.path, 'replayed')], { LICENSING_DATA_DIR: server.dir.path }, {
      out: (text) => out.push(text),
      err: () => undefined,
    })
    expect(code, out.join('')).toBe(0)
  })
})
