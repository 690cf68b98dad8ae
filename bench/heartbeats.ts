// Heartbeats are answered from memory when their lease needs no renewal.
// This measures them over real HTTP against a separate engine process, with
// seed 002's validate (which reads the license's streams from the store) as
// the baseline in the same run, and counts what the heartbeats wrote.
import autocannon from 'autocannon'
import { spawnEngine } from '../test/support/process.js'
import { makeTempDir } from '../test/support/tmp.js'

const SEATS = 20
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = 20
const TOKEN = 'bench-admin-token-0123456789'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the replies are the engine's own, read loosely here
const post = async (url: string, path: string, body: unknown): Promise<any> => {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return response.json()
}

/** Many requests at once, cycling through the bodies, for SECONDS seconds (autocannon shows progress). */
const load = async (url: string, title: string, path: string, bodies: readonly unknown[]) => {
  let next = 0
  let finished!: (result: autocannon.Result) => void
  let failed!: (error: unknown) => void
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finished = resolve
    failed = reject
  })
  const options: autocannon.Options = {
    url: `${url}${path}`,
    title,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify(bodies[next++ % bodies.length]) }) }],
  }
  const instance = autocannon(options, (error, result) => (error ? failed(error) : finished(result)))
  autocannon.track(instance, { renderResultsTable: false })
  const result = await done
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${title}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  return result
}

export const benchHeartbeats = async (): Promise<void> => {
  const dir = makeTempDir('bench-heartbeats')
  const engine = await spawnEngine({ LICENSING_DATA_DIR: dir.path, LICENSING_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'info' })
  try {
    const customer = await post(engine.url, '/customers', { name: 'Bench Ltd' })
    const template = await post(engine.url, '/product-templates', { name: 'Bench', product_id: 'bench' })
    const order = await post(engine.url, '/license-orders', {
      customer_id: customer.id,
      product_template_id: template.id,
      license_type: 'network',
      licensee_type: 'customer',
      hostid_match_rate: 100,
      min_hostids: 0,
      activations_allowed: SEATS,
      enabled: true,
      removal: false,
      Hostids: [],
      Features: [{ name: 'Bench', version: '1', expiration_type: 'no_expiration', issued_type: 'activation_time', count: SEATS, maintenance_type: 'no_maintenance' }],
    })
    const userKey = order.activation_key as string
    const clients = Array.from({ length: SEATS }, (_, i) => ({ userKey, clientId: `client-${i}`, machineId: `machine-${i}` }))
    const tokens: string[] = []
    for (const c of clients) tokens.push((await post(engine.url, '/v1/license/request', c)).licenseToken)
    const eventCount = async (): Promise<number> => {
      const audit = (await (await fetch(`${engine.url}/audit/events?license=${userKey}&limit=1000`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { items: unknown[] }
      return audit.items.length
    }
    const eventsBefore = await eventCount()

    const validate = await load(engine.url, 'validate (reads the store)', '/v1/license/validate', clients)
    const heartbeats = await load(
      engine.url,
      'heartbeat (from memory)',
      '/v1/license/heartbeat',
      clients.map((c, i) => ({ licenseToken: tokens[i], clientId: c.clientId, machineId: c.machineId })),
    )
    const eventsAfter = await eventCount()

    const line = (name: string, r: autocannon.Result): string =>
      `  ${name.padEnd(28)} ${Math.round(r.requests.average).toString().padStart(6)} req/s, latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms (${r.requests.total} requests)`
    console.log(`\nSeed 002 over HTTP, ${SEATS} seats, ${CONNECTIONS} connections, ${SECONDS} s each, engine in its own process`)
    console.log(line('validate (reads the store)', validate))
    console.log(line('heartbeat (from memory)', heartbeats))
    console.log(`  heartbeats are ${(heartbeats.requests.average / validate.requests.average).toFixed(1)}x the baseline`)
    console.log(`  events the ${heartbeats.requests.total} heartbeats wrote: ${eventsAfter - eventsBefore} (a heartbeat renews once half an interval has passed since its seat's last renewal)`)
  } finally {
    await engine.kill()
    dir.remove()
  }
}
