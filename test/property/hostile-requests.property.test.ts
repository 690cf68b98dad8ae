// A fuzz test of every operation /openapi.json documents: hostile bodies
// (nested thousands of levels deep, members nobody declared, Object's own
// names, malformed JSON), headers (credentials in every spelling, odd
// Idempotency-Keys and content types) and path segments, sent to a real
// engine. Whatever comes, the answer is no 5xx, no stack trace or internal
// path in any body, and a refused request changes nothing in the log (beyond
// its Idempotency-Key's record and seed 004's count of invalid attempts, which
// a refusal writes by design).
// The seed is fixed; FUZZ_RUNS sets how many requests (default 300), and
// FUZZ_SEED another seed.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { RecordedEvent } from '../../src/store/port.js'
import { useEngine } from '../support/engine.js'
import { createCustomer, createTemplate, issueKey, seedOrder, setUpLicense } from '../support/fixtures.js'
import { ADMIN_TOKEN, client } from '../support/server.js'

const RUNS = Number(process.env.FUZZ_RUNS ?? 300)
const SEED = Number(process.env.FUZZ_SEED ?? 13)

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

interface Operation {
  readonly method: (typeof METHODS)[number]
  readonly path: string
}

interface HostileRequest {
  readonly operation: Operation
  readonly segments: readonly string[]
  readonly credential: Record<string, string>
  readonly idempotencyKey: string | null
  readonly contentType: string | null
  readonly body: string | null
  /** The source address it claims (x-forwarded-for): a wide range, so per-address limits rarely answer for it. */
  readonly address: string
}

/** What a body must never show: a stack frame, a source file, an installed module's path. */
const INTERNALS = /\n\s+at [^\n]+\(|node:internal|node_modules|\/src\/[a-z]|\.ts:\d+|\/work\/|\/home\//

/** Streams a refusal may write to: its Idempotency-Key's record, seed 004's lockout count. */
const writtenByRefusals = (event: RecordedEvent): boolean => event.streamName.startsWith('idempotency-') || event.streamName.startsWith('lockout-')

const nestedArrays = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`
const nestedObjects = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`

describe('hostile requests to every documented operation', () => {
  const server = useEngine({ config: { trustProxy: true } })
  const api = client(server)
  const known: string[] = ['FUZZ-KEY', '1']
  let operations: Operation[] = []
  let productKey = ''

  beforeAll(async () => {
    const { customerId, templateId } = await setUpLicense(api, 'FUZZ-KEY', 'fuzz-product')
    known.push(String(customerId), String(templateId), 'fuzz-product')
    await createCustomer(api)
    await createTemplate(api, 'fuzz-other', 'Other')
    productKey = (await issueKey(api, { product_id: 'fuzz-product' })).token
    const document = (await api.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> }
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method] !== undefined).map((method) => ({ method, path })),
    )
  })

  const request = (): fc.Arbitrary<HostileRequest> => {
    const segment = fc.oneof(
      fc.constantFrom(...known),
      fc.constantFrom('..', '%2e%2e', '%00', '%', '%E0%A4%A', '__proto__', 'constructor', '-1', '0', '1e309', 'null', ' '),
      fc.string({ maxLength: 30 }).map(encodeURIComponent),
      fc.constant('A'.repeat(3_000)),
    )
    const hostileName = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hostileJunk', '', 'UserIp')
    const leaf = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant('A'.repeat(5_000)),
      fc.constantFrom('127.0.0.1', 'http://127.0.0.1:1/x', '2026-01-01', '*'),
    )
    const { json } = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: 'small', maxDepth: 4 },
        leaf,
        fc.array(tie('json'), { maxLength: 4 }),
        fc.dictionary(fc.oneof(hostileName, fc.string({ maxLength: 8 })), tie('json'), { maxKeys: 5 }),
      ),
    }))
    const body = fc.oneof(
      { weight: 3, arbitrary: json.map((value) => JSON.stringify(value)) },
      // A valid body with a member nobody declared beside it.
      { weight: 2, arbitrary: fc.tuple(hostileName, json).map(([name, junk]) => JSON.stringify({ ...seedOrder(), name: 'x', url: 'https://203.0.113.1/', events: ['*'], [name]: junk })) },
      { weight: 2, arbitrary: fc.integer({ min: 1_000, max: 12_000 }).map(nestedArrays) },
      { weight: 1, arbitrary: fc.integer({ min: 100, max: 1_000 }).map(nestedObjects) },
      { weight: 1, arbitrary: fc.constantFrom('{', '', 'null', '[]', '"x"', '{"a":1}{', '{"__proto__":{"isAdmin":true}}', '\u0000') },
    )
    const credential = fc.constantFrom<Record<string, string>>(
      { authorization: `Bearer ${ADMIN_TOKEN}` },
      { authorization: `bearer   ${ADMIN_TOKEN}` },
      { 'x-api-key': ADMIN_TOKEN },
      { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` },
      { authorization: 'Bearer lk_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' },
      { authorization: 'Basic ::::' },
      {},
      { product: 'scoped' },
    )
    return fc.record({
      operation: fc.constantFrom(...operations),
      segments: fc.array(segment, { minLength: 4, maxLength: 4 }),
      credential,
      idempotencyKey: fc.option(fc.oneof(fc.constant('fuzz-key'), fc.stringMatching(/^[\x20-\x7e]{1,300}$/)), { freq: 3 }),
      contentType: fc.option(fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain', 'application/json; charset=utf-16', 'application/json-patch+json'), { freq: 6 }),
      body: fc.option(body, { freq: 6 }),
      address: fc.ipV4(),
    })
  }

  const send = async (r: HostileRequest) => {
    let n = 0
    const path = r.operation.path.replace(/\{[^}]+\}/g, () => r.segments[n++ % r.segments.length]!)
    const headers: Record<string, string> = { 'x-forwarded-for': r.address }
    if (r.credential.product === 'scoped') headers.authorization = `Bearer ${productKey}`
    else Object.assign(headers, r.credential)
    if (r.idempotencyKey !== null) headers['idempotency-key'] = r.idempotencyKey
    if (r.contentType !== null) headers['content-type'] = r.contentType
    const method = r.operation.method.toUpperCase()
    const sendsBody = r.body !== null && method !== 'GET'
    const response = await fetch(`${server.url}${path}`, { method, headers, ...(sendsBody ? { body: r.body! } : {}) })
    return { status: response.status, text: await response.text(), path }
  }

  it('answers each without a 5xx or a stack trace, and a refusal writes nothing', async () => {
    expect(operations.length).toBeGreaterThan(20)
    await fc.assert(
      fc.asyncProperty(request(), async (r) => {
        const before = await server.running.store.headPosition()
        const answer = await send(r)
        const what = `${r.operation.method.toUpperCase()} ${answer.path} -> ${answer.status} ${answer.text.slice(0, 300)}`
        expect(answer.status, what).toBeLessThan(500)
        expect(answer.text, what).not.toMatch(INTERNALS)
        if (answer.status >= 400) {
          // Every event past the head as it stood before, whoever recorded it (with a request id or none).
          const after = await server.running.store.readAll({ ...(before === null ? {} : { from: before }), maxCount: 1_000 })
          const written = after.filter((event) => !writtenByRefusals(event))
          expect(written.map((event) => `${event.position} ${event.streamName} ${event.type}`), what).toEqual([])
        }
      }),
      { seed: SEED, numRuns: RUNS, verbose: 1 },
    )
  }, 600_000)
})
