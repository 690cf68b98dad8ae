// GET /metrics (issue 14): Prometheus text from prom-client, for an admin
// credential or, on METRICS_PORT, for anyone who can reach that port. Scraped
// before and after real traffic: the values move with what happened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_WEBHOOK_CONFIG } from '../../src/config.js'
import { babelClient, clientBody } from '../support/babel.js'
import { createCustomer, createTemplate, issueKey, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'
import { eventually, startReceiver, type Receiver } from '../support/webhook-receiver.js'

/** The samples of a Prometheus text exposition: `name{label="value",...}` to its value. */
const parse = (text: string): Map<string, number> => {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line)
    if (match === null) throw new Error(`not a sample line: ${line}`)
    const labels = [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}=${v}`).sort()
    samples.set(`${match[1]}{${labels.join(',')}}`, Number(match[3]))
  }
  return samples
}
const key = (name: string, labels: Record<string, string> = {}): string =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join(',')}}`

describe('GET /metrics', () => {
  const server = useEngine({ config: { metricsPort: 0, webhooks: { ...DEFAULT_WEBHOOK_CONFIG, retryBaseMs: 60_000, pollIntervalMs: 20 } } })
  const api = client(server)
  const babel = babelClient(server)
  let receiver: Receiver

  beforeAll(async () => {
    receiver = await startReceiver()
  })
  afterAll(async () => {
    await receiver.close()
  })

  const scrape = async (): Promise<Map<string, number>> => {
    const res = await api.get('/metrics')
    expect(res.status, res.text).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    return parse(res.text)
  }
  const value = (samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number => samples.get(key(name, labels)) ?? 0

  it('is refused without a credential and to a scoped key, in the admin envelope', async () => {
    const none = await api.get('/metrics', { token: null })
    expect(none.status).toBe(401)
    expect(none.body.error.status).toBe(401)
    const scoped = await issueKey(api, { product_id: '1' })
    const refused = await api.get('/metrics', { token: scoped.token })
    expect(refused.status).toBe(403)
    expect(refused.body).toEqual({ error: { status: 403, message: 'This endpoint needs an admin credential.' } })
  })

  it('moves with real traffic: requests by route template, appends by type, group commits, licenses, activations, seats, webhooks, lag', async () => {
    const before = await scrape()
    expect(value(before, 'nodejs_heap_size_total_bytes')).toBeGreaterThan(0)
    expect(value(before, 'process_cpu_user_seconds_total')).toBeGreaterThan(0)

    const registered = await api.post('/webhooks', { url: `${receiver.url}/hook`, events: ['license-order.created', 'seat.granted'], secret: 'metrics-secret-0123456789' })
    expect(registered.status, registered.text).toBe(201)
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api, '1')
    for (const [n, licenseType] of [[1, 'local'], [2, 'network'], [3, 'network']] as const) {
      const created = await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: `METRIC-${n}`, license_type: licenseType })
      expect(created.status, created.text).toBe(201)
      expect((await api.get(`/license-orders/METRIC-${n}`)).status).toBe(200)
    }
    expect((await babel('activate', clientBody('METRIC-1', 1))).status).toBe(200)
    expect((await babel('request', clientBody('METRIC-2', 2))).status).toBe(200)
    expect((await babel('request', clientBody('METRIC-3', 3))).status).toBe(200)
    expect((await api.get('/license-orders/NO-SUCH-KEY')).status).toBe(404)
    await receiver.received(5, '/hook')
    // The deliveries are settled in the outbox once the receiver answered.
    const after = await eventually(async () => {
      const samples = await scrape()
      return value(samples, 'licensing_webhook_deliveries', { outcome: 'delivered' }) >= 5 ? samples : undefined
    })

    const requests = (labels: Record<string, string>) => value(after, 'http_request_duration_seconds_count', labels) - value(before, 'http_request_duration_seconds_count', labels)
    expect(requests({ route: '/license-orders', method: 'POST', status: '201' })).toBe(3)
    // By template, not by concrete path: three keys, one series (and the 404 its own).
    expect(requests({ route: '/license-orders/:activation_key', method: 'GET', status: '200' })).toBe(3)
    expect(requests({ route: '/license-orders/:activation_key', method: 'GET', status: '404' })).toBe(1)
    expect(requests({ route: '/v1/license/request', method: 'POST', status: '200' })).toBe(2)
    expect([...after.keys()].some((k) => k.includes('METRIC-'))).toBe(false)
    expect(value(after, 'http_request_duration_seconds_sum', { route: '/license-orders', method: 'POST', status: '201' })).toBeGreaterThan(0)

    const appended = (type: string) => value(after, 'licensing_events_appended_total', { type }) - value(before, 'licensing_events_appended_total', { type })
    expect(appended('OrderCreated')).toBe(3)
    expect(appended('MachineActivated')).toBe(1)
    expect(appended('SeatGranted')).toBe(2)
    expect(value(after, 'licensing_store_commit_appends_count')).toBeGreaterThan(value(before, 'licensing_store_commit_appends_count'))
    expect(value(after, 'licensing_store_commit_appends_sum')).toBeGreaterThanOrEqual(value(after, 'licensing_store_commit_appends_count'))

    expect(value(after, 'licensing_licenses')).toBe(value(before, 'licensing_licenses') + 3)
    expect(value(after, 'licensing_live_activations')).toBe(value(before, 'licensing_live_activations') + 1)
    expect(value(after, 'licensing_live_seats')).toBe(value(before, 'licensing_live_seats') + 2)
    expect(value(after, 'licensing_webhook_deliveries', { outcome: 'delivered' })).toBe(5)
    expect(value(after, 'licensing_webhook_retry_backlog')).toBe(0)
    for (const consumer of ['projections', 'mailer', 'webhooks']) {
      expect(after.has(key('licensing_lag_events', { consumer })), consumer).toBe(true)
      expect(after.has(key('licensing_lag_seconds', { consumer })), consumer).toBe(true)
    }
  })

  it('counts a failing receiver in the retry backlog, and a seat whose lease ran out no longer as live', async () => {
    const before = await scrape()
    receiver.script([500, 500, 500], '/failing')
    const registered = await api.post('/webhooks', { url: `${receiver.url}/failing`, events: ['seat.granted'], secret: 'metrics-secret-0123456789' })
    expect(registered.status).toBe(201)
    expect((await babel('request', clientBody('METRIC-2', 20))).status).toBe(200)
    await receiver.received(1, '/failing')
    const backlog = await eventually(async () => {
      const samples = await scrape()
      return value(samples, 'licensing_webhook_retry_backlog') === 1 ? samples : undefined
    })
    expect(value(backlog, 'licensing_live_seats')).toBe(value(before, 'licensing_live_seats') + 1)
    // Three heartbeat intervals later every lease has run out.
    server.clock.advance(3_600_000)
    expect(value(await scrape(), 'licensing_live_seats')).toBe(0)
  })

  it('is served without a credential on METRICS_PORT, and nothing else is', async () => {
    const url = server.running.metricsUrl!
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    expect(new URL(url).port).not.toBe(new URL(server.url).port)
    const open = await fetch(url)
    expect(open.status).toBe(200)
    const samples = parse(await open.text())
    expect(value(samples, 'licensing_licenses')).toBe(3)
    expect((await fetch(url.replace('/metrics', '/license-orders'))).status).toBe(404)
    expect((await fetch(url, { method: 'POST' })).status).toBe(404)
  })
})
