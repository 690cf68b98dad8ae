// The heartbeat's hot path over real HTTP: a token's claims remembered after
// its first verification never outlive a revocation, heartbeats that renew
// nothing are summed up in the access log while the ones that write or fail
// keep their own line, and info hands out the tokens the seats were issued.
import { beforeAll, describe, expect, it } from 'vitest'
import { babelClient, clientBody, tokenId } from '../support/babel.js'
import { createCustomer, createTemplate, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { ADMIN_TOKEN, client } from '../support/server.js'

describe('heartbeat hot path (seed 002)', () => {
  const server = useEngine()
  const api = client(server)
  const babel = babelClient(server)
  let customerId: number
  let templateId: number

  beforeAll(async () => {
    customerId = await createCustomer(api)
    templateId = await createTemplate(api, '1')
  })

  const license = async (key: string): Promise<void> => {
    const created = await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: key })
    expect(created.status, created.text).toBe(201)
  }

  const heartbeatLines = () => server.logs.filter((line) => (line.req as { url?: string } | undefined)?.url === '/v1/license/heartbeat')

  it('refuses a revoked token on the very next heartbeat, though its claims were remembered', async () => {
    await license('HOT-REVOKE')
    const token = (await babel('request', clientBody('HOT-REVOKE', 1))).body.licenseToken as string
    // Verified on the first heartbeat, answered from memory on the second.
    expect((await babel('heartbeat', { licenseToken: token })).status).toBe(200)
    expect((await babel('heartbeat', { licenseToken: token })).body.active).toBe(true)
    expect((await api.delete(`/license-orders/HOT-REVOKE/tokens/${tokenId(token)}`)).status).toBe(200)
    const beat = await babel('heartbeat', { licenseToken: token })
    expect(beat.status).toBe(403)
    expect(beat.body.code).toBe('TOKEN_REVOKED')
  })

  it('refuses a remembered token once its seat was released, and a tampered one every time', async () => {
    await license('HOT-RELEASE')
    const token = (await babel('request', clientBody('HOT-RELEASE', 1))).body.licenseToken as string
    expect((await babel('heartbeat', { licenseToken: token })).body.active).toBe(true)
    expect((await babel('release', { licenseToken: token })).status).toBe(200)
    expect((await babel('heartbeat', { licenseToken: token })).body.active).toBe(false)
    // A character inside the signature (its last ones carry padding bits a change may not touch).
    const at = token.length - 10
    const tampered = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`
    for (let i = 0; i < 2; i++) expect((await babel('heartbeat', { licenseToken: tampered })).body.code).toBe('INVALID_LICENSE_TOKEN')
  })

  it('logs no line per heartbeat that wrote nothing, and a line for one that renewed its lease or failed', async () => {
    await license('HOT-LOG')
    const token = (await babel('request', clientBody('HOT-LOG', 1))).body.licenseToken as string
    const before = heartbeatLines().length
    for (let i = 0; i < 5; i++) expect((await babel('heartbeat', { licenseToken: token })).status).toBe(200)
    expect(heartbeatLines().length).toBe(before)
    // Half an interval later the heartbeat renews the lease: a write, logged with its request id.
    server.clock.advance(31_000)
    const renewing = await babel('heartbeat', { licenseToken: token })
    expect(renewing.status).toBe(200)
    const renewed = heartbeatLines().slice(before)
    expect(renewed).toEqual([expect.objectContaining({ msg: 'request completed', reqId: renewing.headers.get('x-request-id'), res: { statusCode: 200 } })])
    expect((renewed[0]!.req as { id: string }).id).toBe(renewing.headers.get('x-request-id'))
    const refused = await babel('heartbeat', { licenseToken: 'not.a.token' })
    expect(refused.status).toBe(400)
    expect(heartbeatLines().slice(before + 1)).toEqual([expect.objectContaining({ reqId: refused.headers.get('x-request-id'), res: { statusCode: 400 } })])
    expect(server.rawLogs()).not.toContain(token)
  })

  it('answers a heartbeat the same reached at once by its plain path or through the routers (a case variant, a trailing slash, X-Log-Position)', async () => {
    await license('HOT-ROUTE')
    const granted = await babel('request', clientBody('HOT-ROUTE', 1))
    const token = granted.body.licenseToken as string
    const position = granted.headers.get('x-log-position')
    expect(position).not.toBeNull()
    const beat = async (path: string, headers: Record<string, string> = {}, method = 'POST') => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_TOKEN, ...headers },
        ...(method === 'POST' ? { body: JSON.stringify({ licenseToken: token }) } : {}),
      })
      return { status: response.status, allow: response.headers.get('allow'), body: (await response.json()) as unknown }
    }
    const plain = await beat('/v1/license/heartbeat')
    expect(plain.status).toBe(200)
    expect(plain.body).toEqual(expect.objectContaining({ active: true }))
    for (const [path, headers] of [
      ['/V1/License/Heartbeat', {}],
      ['/v1/license/heartbeat/', {}],
      ['/v1/license/heartbeat?at=1', {}],
      ['/v1/license/heartbeat', { 'x-log-position': position! }],
    ] as const) {
      expect(await beat(path, headers), path).toEqual(plain)
    }
    // A method the path does not take: answered as before, in seed 002's envelope.
    const wrong = await beat('/v1/license/heartbeat', {}, 'GET')
    expect([wrong.status, wrong.allow]).toEqual([405, 'POST'])
  })

  it('lists each live seat with the token it was issued, the same on every call', async () => {
    await license('HOT-INFO')
    const tokens: string[] = []
    for (const n of [1, 2, 3]) tokens.push((await babel('request', clientBody('HOT-INFO', n))).body.licenseToken as string)
    const first = await babel('info', { userKey: 'HOT-INFO' })
    const again = await babel('info', { userKey: 'HOT-INFO' })
    const listed = (first.body.licenseTokens as { token: string }[]).map((t) => t.token)
    expect(listed.sort()).toEqual([...tokens].sort())
    expect(again.body).toEqual(first.body)
  })
})
