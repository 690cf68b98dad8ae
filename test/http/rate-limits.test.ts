// Seeds 000, 001 and 002 limit requests per credential, as seed 004 does: past
// the limit, 429 in the API's own envelope with Retry-After; another
// credential is not held back; the next window lets the credential in again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
