// Request bodies read two ways give the same answers: a plain JSON body (a
// plain media type, UTF-8, its length given: read directly, json-body.ts)
// and any other (through express.json), whatever the body holds.
import { beforeAll, describe, expect, it } from 'vitest'
import { babelClient, clientBody } from '../support/babel.js'
import { createCustomer, createTemplate, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { ADMIN_TOKEN, client } from '../support/server.js'

describe('JSON request bodies (seed 002 heartbeat)', () => {
  const server = useEngine()
  const api = client(server)
  let token: string

  beforeAll(async () => {
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api, '1')
    expect((await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: 'BODY-KEY' })).status).toBe(201)
    token = (await babelClient(server)('request', clientBody('BODY-KEY', 1))).body.licenseToken as string
  })

  const beat = async (raw: string, contentType: string) => {
    const res = await api.post('/v1/license/heartbeat', undefined, { raw, token: null, headers: { 'content-type': contentType, 'x-api-key': ADMIN_TOKEN } })
    const { traceId: _traceId, tokenExpireAt: _at, ...body } = (res.body ?? {}) as Record<string, unknown>
    return { status: res.status, body }
  }

  it('answers a body the same read directly (application/json) or through express.json (a charset without a space)', async () => {
    const json = JSON.stringify({ licenseToken: token })
    const bodies = {
      plain: json,
      'with a byte order mark': `\uFEFF${json}`,
      'after whitespace': `\n\t ${json}`,
      'a string, not an object': JSON.stringify('text'),
      'a number': '1',
      'cut short': json.slice(0, 20),
      'nothing but a byte order mark': '\uFEFF',
      'nested too deep': `${'['.repeat(40)}${']'.repeat(40)}`,
      'not UTF-8 text': '{"licenseToken":"\udc00"}',
    }
    const statuses: Record<string, number> = {}
    for (const [name, raw] of Object.entries(bodies)) {
      const direct = await beat(raw, 'application/json')
      const generic = await beat(raw, 'application/json;charset=UTF-8')
      expect(direct, name).toEqual(generic)
      statuses[name] = direct.status
    }
    expect(statuses).toEqual({
      plain: 200,
      'with a byte order mark': 200,
      'after whitespace': 200,
      'a string, not an object': 400,
      'a number': 400,
      'cut short': 400,
      'nothing but a byte order mark': 400,
      'nested too deep': 400,
      'not UTF-8 text': 400,
    })
  })
})
