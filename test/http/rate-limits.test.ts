// Seeds 000, 001 and 002 limit requests per credential, as seed 004 does: past
// the limit, 429 in the API's own envelope with Retry-After; another
// credential is not held back; the next window lets the credential in again.
// Seed 003's activation limits count the same way, on the engine's clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { activationBody, cryptlexClient } from '../support/cryptlex.js'
import { issueKey, setUpLicense } from '../support/fixtures.js'
import { client, startTestServer, type Client, type HttpResult, type TestServer } from '../support/server.js'

const LIMIT = 3

describe('rate limits per credential on seeds 000, 001 and 002', () => {
  let server: TestServer
  let api: Client
  let other: string

  beforeAll(async () => {
    server = await startTestServer({ config: { apiRateLimits: { rillsoft: LIMIT, lac: LIMIT, babel: LIMIT } } })
    api = client(server)
    await setUpLicense(api, 'RATE-0001')
    other = (await issueKey(api, 'admin')).token
  })
  afterAll(async () => {
    await server.stop()
    server.dir.remove()
  })

  const apis: ReadonlyArray<{
    readonly seed: string
    readonly send: (token?: string) => Promise<HttpResult>
    readonly envelope: (body: unknown) => void
  }> = [
    {
      seed: '000',
      send: (token) => api.patch('/api/v2/clients/1/license', { serialNumber: 'SN-RATE' }, token === undefined ? {} : { token }),
      envelope: (body) =>
        expect(body).toEqual({ status: 'error', code: 429, message: 'Too many requests', details: expect.stringMatching(/^Request was throttled\. Expected available in \d+ seconds\.$/) }),
    },
    {
      seed: '001',
      send: (token) => api.get('/license-orders/RATE-0001', token === undefined ? {} : { token }),
      envelope: (body) => expect(body).toEqual({ detail: expect.stringMatching(/^Request was throttled\. Expected available in \d+ seconds\.$/) }),
    },
    {
      seed: '002',
      send: (token) =>
        api.post('/v1/license/validate', { userKey: 'RATE-0001', machineId: 'm-1', clientId: 'c-1' }, token === undefined ? {} : { token }),
      envelope: (body) => expect(body).toMatchObject({ status: 429, title: 'Too Many Requests', code: 'TOO_MANY_REQUESTS', detail: expect.stringMatching(/^Request was throttled/) }),
    },
  ]

  for (const { seed, send, envelope } of apis) {
    it(`seed ${seed}: the request past the limit is 429 with Retry-After, in its envelope; another credential and the next window pass`, async () => {
      for (let i = 0; i < LIMIT; i += 1) expect((await send()).status, `request ${i + 1}`).not.toBe(429)
      const refused = await send()
      expect(refused.status).toBe(429)
      const retryAfter = Number(refused.headers.get('retry-after'))
      expect(retryAfter).toBeGreaterThanOrEqual(1)
      expect(retryAfter).toBeLessThanOrEqual(60)
      envelope(refused.body)

      expect((await send(other)).status).not.toBe(429)
      server.clock.advance(retryAfter * 1000)
      expect((await send()).status).not.toBe(429)
    })
  }

  it('the OpenAPI document lists the 429, with Retry-After, on each operation limited', async () => {
    const { paths } = (await api.get('/openapi.json')).body as { paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>> }
    for (const [path, method] of [['/api/v2/clients/{client_id}/license', 'patch'], ['/license-orders/{activation_key}', 'get'], ['/v1/license/validate', 'post']] as const) {
      expect(paths[path]![method]!.responses['429']?.headers, `${method} ${path}`).toHaveProperty('Retry-After')
    }
  })

  it('an unauthenticated request is refused as such, not counted', async () => {
    for (let i = 0; i < LIMIT + 2; i += 1) expect((await api.get('/license-orders/RATE-0001', { token: 'no-such-key-0123456789' })).status).toBe(403)
  })
})

describe("seed 003's activation limits, per source address, on the engine's clock", () => {
  it('refuses the address past its limit until the engine clock passes the window, and says when in X-Rate-Limit-Reset', async () => {
    const server = await startTestServer({ config: { activationRateLimits: { perAddress: 2, perKey: 1_000, windowSeconds: 60 } } })
    try {
      const cryptlex = cryptlexClient(server, null)
      const windowEnds = new Date(server.clock.now().getTime() + 60_000).toISOString()
      const probe = async (n: number) => cryptlex.activate(activationBody(`RATE-PROBE-${n}`, 1))
      expect((await probe(1)).status).toBe(400)
      server.clock.advance(30_000)
      const second = await probe(2)
      expect(second.status).toBe(400)
      expect(second.headers.get('x-rate-limit-remaining')).toBe('0')
      expect(second.headers.get('x-rate-limit-reset')).toBe(windowEnds)
      const refused = await probe(3)
      expect(refused.status).toBe(429)
      expect(refused.body).toMatchObject({ code: 'TOO_MANY_REQUESTS' })
      expect(refused.headers.get('x-rate-limit-reset')).toBe(windowEnds)
      // Nothing but the engine's clock moves: the window it began has passed.
      server.clock.advance(30_000)
      const again = await probe(4)
      expect(again.status).toBe(400)
      expect(again.headers.get('x-rate-limit-remaining')).toBe('1')
      expect(again.headers.get('x-rate-limit-reset')).toBe(new Date(server.clock.now().getTime() + 60_000).toISOString())
    } finally {
      await server.stop()
      server.dir.remove()
    }
  })
})

describe('without limits configured (the other tests)', () => {
  it('lets a credential send more than any small limit', async () => {
    const server = await startTestServer()
    try {
      const api = client(server)
      await setUpLicense(api, 'RATE-FREE')
      for (let i = 0; i < 2 * LIMIT; i += 1) expect((await api.get('/license-orders/RATE-FREE')).status).toBe(200)
    } finally {
      await server.stop()
      server.dir.remove()
    }
  })
})
