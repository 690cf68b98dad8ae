// The seat usage report over real HTTP: seats taken and given back through
// seed 002 over a few hours of test-clock time, then reported per hour, as
// JSON and as CSV, for a period that ended before the report was asked for.
import { beforeAll, describe, expect, it } from 'vitest'
import { babelClient, clientBody } from '../support/babel.js'
import { createCustomer, createTemplate, issueKey, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

const KEY = 'REPORT-KEY'
const MINUTE = 60_000

describe('seat usage report over HTTP', () => {
  const server = useEngine()
  const api = client(server)

  beforeAll(async () => {
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api, '1')
    await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: KEY, activations_allowed: 2 })
    const babel = babelClient(server)

    // 10:00 two seats are taken; a third client is refused (recorded as a denial).
    const first = await babel('request', clientBody(KEY, 1))
    const second = await babel('request', clientBody(KEY, 2))
    expect([first.body.granted, second.body.granted]).toEqual([true, true])
    expect((await babel('request', clientBody(KEY, 3))).body.granted).toBe(false)
    const heartbeat = async (n: number, token: string): Promise<void> => {
      const beat = await babel('heartbeat', { licenseToken: token, machineId: `machine-${n}`, clientId: `client-${n}` })
      expect(beat.body.active).toBe(true)
    }
    // Both heartbeat every minute; at 10:30 the first is released.
    for (let i = 0; i < 30; i += 1) {
      server.clock.advance(MINUTE)
      await heartbeat(1, first.body.licenseToken)
      await heartbeat(2, second.body.licenseToken)
    }
    expect((await babel('release', { licenseToken: first.body.licenseToken, machineId: 'machine-1', clientId: 'client-1' })).status).toBe(200)
    // The second keeps heartbeating until 11:15, then goes silent. Every heartbeat renews its lease
    // (3 minutes): the last renewal is at 11:15 and the lease runs out at 11:18.
    for (let i = 0; i < 45; i += 1) {
      server.clock.advance(MINUTE)
      await heartbeat(2, second.body.licenseToken)
    }
    // 13:00: the report is asked for later, after the engine noticed the expiry.
    server.clock.advance(105 * MINUTE)
    expect((await babel('request', clientBody(KEY, 4))).body.granted).toBe(true)
  })

  const query = '?activation_key=REPORT-KEY&from=2026-11-22T10:00:00Z&to=2026-11-22T12:00:00Z&bucket=hour'

  it('reports peak seats, seat-hours, grants, releases, expiries and denials per hour', async () => {
    const res = await api.get(`/reports/seat-usage${query}`)
    expect(res.status).toBe(200)
    expect(res.body.rows).toEqual([
      { start: '2026-11-22T10:00:00.000Z', end: '2026-11-22T11:00:00.000Z', peak_seats: 2, seat_hours: 1.5, grants: 2, releases: 1, expiries: 0, denials: 1 },
      { start: '2026-11-22T11:00:00.000Z', end: '2026-11-22T12:00:00.000Z', peak_seats: 1, seat_hours: 0.3, grants: 0, releases: 0, expiries: 1, denials: 0 },
    ])
    expect(res.body.totals).toEqual({ peak_seats: 2, seat_hours: 1.8, grants: 2, releases: 1, expiries: 1, denials: 1 })
    expect(res.body.license.activation_key).toBe(KEY)
  })

  it('gives the same report as a CSV download', async () => {
    const res = await api.get(`/reports/seat-usage.csv${query}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="seat-usage-REPORT-KEY-.*\.csv"$/)
    expect(res.text).toBe(
      [
        'start,end,peak_seats,seat_hours,grants,releases,expiries,denials',
        '2026-11-22T10:00:00.000Z,2026-11-22T11:00:00.000Z,2,1.5,2,1,0,1',
        '2026-11-22T11:00:00.000Z,2026-11-22T12:00:00.000Z,1,0.3,0,0,1,0',
        '',
      ].join('\r\n'),
    )
  })

  it('reports by day', async () => {
    const res = await api.get('/reports/seat-usage?activation_key=REPORT-KEY&from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z&bucket=day')
    expect(res.body.rows).toHaveLength(1)
    // The fourth seat, taken at 13:00, is held up to now (13:00): it adds nothing yet.
    expect(res.body.rows[0]).toMatchObject({ peak_seats: 2, seat_hours: 1.8, grants: 3, releases: 1, expiries: 1, denials: 1 })
  })

  it('names each bad parameter, and refuses a key scoped to another product', async () => {
    const bad = await api.get('/reports/seat-usage?from=yesterday&to=2026-11-22T00:00:00Z&bucket=week')
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['activation_key', 'from', 'bucket'])
    const backwards = await api.get('/reports/seat-usage?activation_key=REPORT-KEY&from=2026-11-22T12:00:00Z&to=2026-11-22T10:00:00Z')
    expect(backwards.body.error.fields).toEqual([{ field: 'to', message: 'must be after from' }])
    expect((await api.get('/reports/seat-usage?activation_key=NOPE&from=2026-11-22T10:00:00Z&to=2026-11-22T11:00:00Z')).status).toBe(404)
    const other = await issueKey(api, { product_id: 'another' })
    expect((await api.get(`/reports/seat-usage${query}`, { token: other.token })).status).toBe(403)
    const own = await issueKey(api, { product_id: '1' })
    expect((await api.get(`/reports/seat-usage${query}`, { token: own.token })).status).toBe(200)
    expect((await api.get(`/reports/seat-usage${query}`, { token: null })).status).toBe(401)
  })
})
