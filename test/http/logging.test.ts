// Logs: every line written for a request carries its request id, and no
// credential ever reaches a log line.
import { describe, expect, it } from 'vitest'
import { issueKey, setUpLicense } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { ADMIN_TOKEN, client } from '../support/server.js'

describe('request logging', () => {
  const server = useEngine()

  it('answers with a request id, the caller’s own when it sent a sane one', async () => {
    const api = client(server)
    const own = await api.get('/healthz', { headers: { 'x-request-id': 'caller-chosen-id-1' } })
    expect(own.headers.get('x-request-id')).toBe('caller-chosen-id-1')
    const fresh = await api.get('/healthz', { headers: { 'x-request-id': 'bad id with spaces' } })
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('puts the request id on every line written for a request, and never a credential', async () => {
    const api = client(server)
    const key = await issueKey(api, 'admin')
    await setUpLicense(api, 'LOGGED-KEY')
    await api.get('/license-orders/LOGGED-KEY', { token: key.token, headers: { 'x-api-key': key.token } })
    await api.patch('/license-orders/LOGGED-KEY', { broken: true }, { token: key.token })
    await api.get('/nowhere', { token: 'lk_aaaaaaaaaaaaaaaa_not-a-real-secret-but-still-secret-looking' })

    const requestLines = server.logs.filter((line) => 'req' in line)
    expect(requestLines.length).toBeGreaterThan(5)
    for (const line of requestLines) {
      const req = line.req as { id: string }
      expect(line.reqId).toBe(req.id)
    }
    const raw = server.rawLogs()
    expect(raw).not.toContain(ADMIN_TOKEN)
    expect(raw).not.toContain(key.token)
    expect(raw).not.toContain('not-a-real-secret')
    expect(raw).toContain('"authorization":"[redacted]"')
  })
})
