// A floating license on a running engine, with seats taken by clients over
// seed 002 (the way clients take them), for the HTTP benchmarks.
import { ADMIN_TOKEN } from './http-load.js'
import { progress } from './progress.js'

export const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the replies are the engine's own, read loosely here
export const post = async (url: string, path: string, body: unknown): Promise<any> => {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const answer = await response.json()
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(answer)}`)
  return answer
}

/**
 * A network license with `seats` seats; its activation key (seed 002's userKey). Its seats beat every hour on a
 * lease of three: filling a large license takes minutes, and a seat must neither lapse nor come due for renewal
 * meanwhile, or a benchmark would measure expiries and renewals (writes) instead of what it means to.
 */
export const floatingLicense = async (url: string, seats: number, name = 'Bench'): Promise<string> => {
  const customer = await post(url, '/customers', { name: `${name} Ltd` })
  const template = await post(url, '/product-templates', { name, product_id: name.toLowerCase() })
  const order = await post(url, '/license-orders', {
    customer_id: customer.id,
    product_template_id: template.id,
    license_type: 'network',
    licensee_type: 'customer',
    hostid_match_rate: 100,
    min_hostids: 0,
    activations_allowed: seats,
    enabled: true,
    removal: false,
    Hostids: [],
    Features: [{ name, version: '1', expiration_type: 'no_expiration', issued_type: 'activation_time', count: seats, maintenance_type: 'no_maintenance' }],
  })
  const key = order.activation_key as string
  const settings = await fetch(`${url}/license-orders/${key}/seat-settings`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ heartbeat_interval_seconds: 3_600, lease_seconds: 10_800 }),
  })
  if (!settings.ok) throw new Error(`seat settings: ${settings.status} ${await settings.text()}`)
  return key
}

export interface Holder {
  readonly clientId: string
  readonly machineId: string
  readonly licenseToken: string
}

/**
 * `count` clients each take a seat, `inFlight` at a time; each grant's time
 * is handed to `timed` in the order they were granted.
 */
export const takeSeats = async (url: string, userKey: string, count: number, label: string, inFlight = 8, timed?: (ms: number) => void): Promise<Holder[]> => {
  const holders: Holder[] = []
  const shown = progress(label, count)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++
      const client = { userKey, clientId: `client-${i}`, machineId: `machine-${i}` }
      const started = performance.now()
      const answer = await post(url, '/v1/license/request', client)
      timed?.(performance.now() - started)
      if (answer.granted !== true) throw new Error(`${label}: seat ${i} not granted`)
      holders.push({ clientId: client.clientId, machineId: client.machineId, licenseToken: answer.licenseToken })
      shown.tick()
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  shown.done()
  return holders
}

export const heartbeatBodies = (holders: readonly Holder[]) => holders.map((h) => ({ licenseToken: h.licenseToken, clientId: h.clientId, machineId: h.machineId }))
