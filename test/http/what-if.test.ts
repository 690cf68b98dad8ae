// What-if replay over real HTTP: replaying a period under the policy that was
// in force reproduces exactly the grants and denials the log recorded; a
// proposed policy changes them; nothing is appended.
import { beforeAll, describe, expect, it } from 'vitest'
import { babelClient, clientBody, createLicense, eventsOfType } from '../support/babel.js'
import { useEngine } from '../support/engine.js'
import { createCustomer, createTemplate } from '../support/fixtures.js'
import { client } from '../support/server.js'
import { whatIfCommand } from '../../src/tools/what-if.js'

describe('what-if replay of a seat policy', () => {
  const server = useEngine()
  const api = client(server)
  const babel = babelClient(server)
  let key: string
  let orderId: string
  let from: string
  let to: string

  beforeAll(async () => {
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api, '1')
    ;({ key, orderId } = await createLicense(api, babel, customerId, templateId, 'WHAT-IF-1', { activations_allowed: 2 }))
    from = server.clock.now().toISOString()
    const tokens: Record<number, string> = {}
    const request = async (n: number) => {
      const res = await babel('request', clientBody(key, n))
      if (res.body.granted) tokens[n] = res.body.licenseToken as string
      return res.body.granted as boolean
    }
    const beat = async (...ns: number[]) => {
      for (const n of ns) await babel('heartbeat', { licenseToken: tokens[n] })
    }
    expect(await request(1)).toBe(true)
    server.clock.advance(1_000)
    expect(await request(2)).toBe(true)
    server.clock.advance(1_000)
    expect(await request(3)).toBe(false)
    // A refused activation (recorded as ActivationDenied) is no seat request: the replay counts it as neither.
    expect((await babel('activate', clientBody(key, 9))).body).toMatchObject({ success: false, denialId: expect.any(String) })
    for (let i = 0; i < 3; i += 1) {
      server.clock.advance(60_000)
      await beat(1, 2)
    }
    expect(await request(3)).toBe(false)
    await babel('release', { licenseToken: tokens[1] })
    server.clock.advance(1_000)
    expect(await request(3)).toBe(true)
    expect(await request(4)).toBe(false)
    // Client 2 stops heartbeating; 3 keeps on; 4 asks again once 2's lease ran out.
    for (let i = 0; i < 4; i += 1) {
      server.clock.advance(60_000)
      await beat(3)
    }
    expect(await request(4)).toBe(true)
    server.clock.advance(1_000)
    expect(await request(5)).toBe(false)
    server.clock.advance(1_000)
    to = server.clock.now().toISOString()
  })

  const whatIf = (policy: Record<string, unknown>, period = { from, to }) => api.post('/reports/what-if', { activation_key: key, ...period, policy })

  it('reproduces exactly the recorded grants and denials under the policy in force, and appends nothing', async () => {
    const head = await server.running.store.headPosition()
    const res = await whatIf({ seats_allowed: 2, lease_seconds: 180, heartbeat_interval_seconds: 60 })
    expect(res.status, res.text).toBe(200)
    const grants = await eventsOfType(server, orderId, 'SeatGranted')
    const denials = await eventsOfType(server, orderId, 'SeatRequestDenied')
    expect(res.body.recorded).toMatchObject({ requests: grants.length + denials.length, grants: grants.length, denials: denials.length, peak_concurrency: 2 })
    expect(res.body.recorded.denied_clients).toEqual(denials.map((d) => ({ client_id: d.data.clientId, machine_id: d.data.machineId, at: d.data.at })))
    expect(res.body.proposed).toEqual(res.body.recorded)
    expect(res.body.policy).toEqual({
      recorded: { seats_allowed: 2, lease_seconds: 180, heartbeat_interval_seconds: 60 },
      proposed: { seats_allowed: 2, lease_seconds: 180, heartbeat_interval_seconds: 60 },
    })
    expect(await server.running.store.headPosition()).toBe(head)
  })

  it('answers what more seats would have done: fewer clients denied, a higher peak, more seat-hours', async () => {
    const res = await whatIf({ seats_allowed: 3 })
    expect(res.status).toBe(200)
    expect(res.body.proposed.denials).toBeLessThan(res.body.recorded.denials)
    expect(res.body.proposed.peak_concurrency).toBe(3)
    expect(res.body.proposed.seat_hours).toBeGreaterThan(res.body.recorded.seat_hours)
    const fewer = await whatIf({ seats_allowed: 1 })
    expect(fewer.body.proposed.denials).toBeGreaterThan(fewer.body.recorded.denials)
    expect(fewer.body.proposed.denied_clients.map((d: { client_id: string }) => d.client_id)).toContain('client-2')
  })

  it('runs as `licensing what-if` against the same log, with progress, and gives the same figures', async () => {
    const http = await whatIf({ seats_allowed: 3 })
    let out = ''
    let err = ''
    const code = await whatIfCommand(['--license', key, '--from', from, '--to', to, '--seats', '3', '--json'], { LICENSING_DATA_DIR: server.dir.path }, { out: (t) => (out += t), err: (t) => (err += t) })
    expect(code, err).toBe(0)
    expect(err).toMatch(/what-if: replayed \d+ recorded actions twice/)
    const report = JSON.parse(out)
    expect(report.proposed.denials).toBe(http.body.proposed.denials)
    expect(report.recorded.grants).toBe(http.body.recorded.grants)
    let table = ''
    expect(await whatIfCommand(['--license', key, '--from', from, '--to', to, '--seats', '3'], { LICENSING_DATA_DIR: server.dir.path }, { out: (t) => (table += t), err: () => undefined })).toBe(0)
    expect(table).toContain('proposed: 3 seats, lease 180 s, heartbeat 60 s')
    expect(await whatIfCommand(['--license', key], { LICENSING_DATA_DIR: server.dir.path }, { out: () => undefined, err: () => undefined })).toBe(2)
  })

  it('names a bad field in the admin envelope', async () => {
    const res = await api.post('/reports/what-if', { activation_key: key, from: to, to: from, policy: {} })
    expect(res.status).toBe(400)
    expect(res.body.error.fields).toEqual([{ field: 'to', message: 'must be after from' }])
    const bad = await whatIf({ lease_seconds: 1 })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields[0].field).toBe('policy.lease_seconds')
    expect((await api.post('/reports/what-if', { activation_key: 'NO-SUCH-KEY', from, to, policy: {} })).status).toBe(404)
  })
})
