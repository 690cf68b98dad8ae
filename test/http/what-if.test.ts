// What-if replay over real HTTP: replaying a period under the policy that was
// in force reproduces exactly the grants and denials the log recorded; a
// proposed policy changes them; nothing is appended.
import { beforeAll, describe, expect, it } from 'vitest'
import { babelClient, clientBody, createLicense, eventsOfType } from '../support/babel.js'
import { useEngine } from '../support/engine.js'
import { createCustomer, createTemplate, issueKey } from '../support/fixtures.js'
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

describe('what-if replay of a seat policy for a whole product', () => {
  const server = useEngine()
  const api = client(server)
  const babel = babelClient(server)
  const keys: string[] = []
  let from: string
  let to: string

  beforeAll(async () => {
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api, 'P-WHAT-IF')
    const otherTemplateId = await createTemplate(api, 'P-OTHER', 'Other')
    from = server.clock.now().toISOString()
    keys.push((await createLicense(api, babel, customerId, templateId, 'WHAT-IF-P1', { activations_allowed: 2 })).key)
    keys.push((await createLicense(api, babel, customerId, templateId, 'WHAT-IF-P2', { activations_allowed: 1 })).key)
    const other = (await createLicense(api, babel, customerId, otherTemplateId, 'WHAT-IF-OTHER', { activations_allowed: 1 })).key
    const granted = async (key: string, n: number) => (await babel('request', clientBody(key, n))).body.granted as boolean
    // Three seats held at once across the product (two on the first license, one on the second), then a denial on the second.
    expect(await granted(keys[0]!, 1)).toBe(true)
    server.clock.advance(1_000)
    expect(await granted(keys[0]!, 2)).toBe(true)
    server.clock.advance(1_000)
    expect(await granted(keys[1]!, 3)).toBe(true)
    server.clock.advance(1_000)
    expect(await granted(keys[1]!, 4)).toBe(false)
    // Another product's license: not part of this product's figures.
    expect(await granted(other, 5)).toBe(true)
    server.clock.advance(1_000)
    to = server.clock.now().toISOString()
  })

  const whatIf = (body: Record<string, unknown>) => api.post('/reports/what-if', { from, to, policy: {}, ...body })

  it("replays each of the product's licenses: its figures are theirs summed, the peak across them, each license as its own report gives it", async () => {
    const res = await whatIf({ product_id: 'P-WHAT-IF' })
    expect(res.status, res.text).toBe(200)
    expect(res.body.product_id).toBe('P-WHAT-IF')
    expect(res.body.licenses.map((l: { license: { activation_key: string } }) => l.license.activation_key)).toEqual(keys)
    for (const [i, key] of keys.entries()) {
      const own = await whatIf({ activation_key: key })
      expect(res.body.licenses[i]).toEqual(own.body)
    }
    expect(res.body.recorded).toMatchObject({ requests: 4, grants: 3, denials: 1, peak_concurrency: 3 })
    expect(res.body.recorded.denied_clients.map((d: { client_id: string }) => d.client_id)).toEqual(['client-4'])
    // The proposal applies to each license: one seat each leaves client 2 denied too, and two held at once at most.
    expect(res.body.proposed).toEqual(res.body.recorded)
    const fewer = await whatIf({ product_id: 'P-WHAT-IF', policy: { seats_allowed: 1 } })
    expect(fewer.body.proposed).toMatchObject({ requests: 4, grants: 2, denials: 2, peak_concurrency: 2 })
    expect(fewer.body.proposed.denied_clients.map((d: { client_id: string }) => d.client_id)).toEqual(['client-2', 'client-4'])
    expect(fewer.body.replayed_actions).toBe(res.body.licenses.reduce((n: number, l: { replayed_actions: number }) => n + l.replayed_actions, 0))
  })

  it('runs as `licensing what-if --product` against the same log, and gives the same figures', async () => {
    const http = await whatIf({ product_id: 'P-WHAT-IF', policy: { seats_allowed: 1 } })
    let out = ''
    let err = ''
    const env = { LICENSING_DATA_DIR: server.dir.path }
    const code = await whatIfCommand(['--product', 'P-WHAT-IF', '--from', from, '--to', to, '--seats', '1', '--json'], env, { out: (t) => (out += t), err: (t) => (err += t) })
    expect(code, err).toBe(0)
    expect(err).toMatch(/what-if: replayed \d+ recorded actions of 2 licenses twice/)
    const report = JSON.parse(out)
    expect(report.licenses.map((l: { orderId: string }) => l.orderId)).toEqual(http.body.licenses.map((l: { license: { order_id: string } }) => l.license.order_id))
    expect([report.proposed.denials, report.proposed.peakConcurrency, report.recorded.grants]).toEqual([http.body.proposed.denials, http.body.proposed.peak_concurrency, http.body.recorded.grants])
    let table = ''
    expect(await whatIfCommand(['--product', 'P-WHAT-IF', '--from', from, '--to', to, '--seats', '1'], env, { out: (t) => (table += t), err: () => undefined })).toBe(0)
    expect(table).toContain('product P-WHAT-IF')
    expect(table).toContain('denied under the proposal: client-2')
    expect(await whatIfCommand(['--product', 'NO-SUCH', '--from', from, '--to', to], env, { out: () => undefined, err: () => undefined })).toBe(2)
    expect(await whatIfCommand(['--product', 'P-WHAT-IF', '--license', keys[0]!, '--from', from, '--to', to], env, { out: () => undefined, err: () => undefined })).toBe(2)
  })

  it("answers a product with no license 404, another product's key 403, and a body naming both or neither 400", async () => {
    expect((await whatIf({ product_id: 'NO-SUCH-PRODUCT' })).status).toBe(404)
    const elsewhere = await issueKey(api, { product_id: 'P-OTHER' })
    expect((await api.post('/reports/what-if', { product_id: 'P-WHAT-IF', from, to, policy: {} }, { token: elsewhere.token })).status).toBe(403)
    const own = await issueKey(api, { product_id: 'P-WHAT-IF' })
    expect((await api.post('/reports/what-if', { product_id: 'P-WHAT-IF', from, to, policy: {} }, { token: own.token })).status).toBe(200)
    const both = await whatIf({ product_id: 'P-WHAT-IF', activation_key: keys[0] })
    expect([both.status, both.body.error.fields]).toEqual([400, [{ field: 'product_id', message: 'give either activation_key (a license) or product_id (a product), not both' }]])
    const neither = await whatIf({})
    expect([neither.status, neither.body.error.fields[0].field]).toEqual([400, 'activation_key'])
  })
})
