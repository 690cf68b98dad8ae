// Exports of the audit log over real HTTP: NDJSON and CSV, several thousand
// events, streamed (chunked, no Content-Length), complete and correctly quoted.
import { v4 as uuid } from 'uuid'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeEvent } from '../../src/application/event-codec.js'
import { ExpectedVersion } from '../../src/store/port.js'
import { createCustomer, issueKey, seedCustomer } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { ADMIN_TOKEN, client, type TestServer } from '../support/server.js'

const UPDATES = 3_000
const BATCH = 100
const TRICKY = 'Line, with "quotes"\nand a second line'

/** RFC 4180, as a spreadsheet reads it: quoted fields may hold commas, quotes (doubled) and line breaks. */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i += 1
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i += 1
    } else field += c
  }
  return rows
}

const download = async (server: TestServer, path: string, token = ADMIN_TOKEN) => {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
  let chunks = 0
  let text = ''
  const decoder = new TextDecoder()
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    chunks += 1
    text += decoder.decode(chunk, { stream: true })
  }
  return { status: response.status, headers: response.headers, chunks, text }
}

describe('audit exports over HTTP', () => {
  const server = useEngine()
  const api = client(server)
  let head: bigint

  beforeAll(async () => {
    const customerId = await createCustomer(api)
    // Thousands of changes of one customer, written straight to the log in batches.
    const meta = { actor: 'bulk-import', correlationId: 'import-1', causationId: null, requestId: null, clientIp: '192.0.2.1', idempotencyKey: null }
    for (let i = 0; i < UPDATES; i += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, j) =>
        encodeEvent(
          { type: 'CustomerUpdated', data: { customerId, profile: { ...seedCustomer, description: `${TRICKY} #${i + j}` }, at: server.clock.now().toISOString() } },
          meta,
          uuid(),
        ),
      )
      await server.running.store.appendToStream(`customer-${customerId}`, batch, ExpectedVersion.any)
    }
    head = (await server.running.store.headPosition())!
    // Those appends bypassed this process's command handler, so reads do not wait for them: wait here.
    const deadline = Date.now() + 30_000
    for (;;) {
      const newest = await api.get('/audit/events?limit=1')
      if (newest.body.items[0]?.position === head.toString()) break
      if (Date.now() > deadline) throw new Error('the audit index did not catch up')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })

  it('streams the whole log as NDJSON, in chunks, one event per line, nothing missing', async () => {
    const res = await download(server, '/audit/events.ndjson?order=asc')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
    expect(res.headers.get('transfer-encoding')).toBe('chunked')
    expect(res.headers.get('content-length')).toBeNull()
    expect(res.chunks).toBeGreaterThan(1)
    const lines = res.text.split('\n')
    expect(lines.pop()).toBe('')
    const entries = lines.map((line) => JSON.parse(line) as { position: string; type: string; data: { profile?: { description: string } } })
    expect(entries.length).toBe(Number(head))
    expect(entries.map((e) => e.position)).toEqual(Array.from({ length: Number(head) }, (_, i) => String(i + 1)))
    const updates = entries.filter((e) => e.type === 'CustomerUpdated')
    expect(updates.length).toBe(UPDATES)
    expect(updates[UPDATES - 1]!.data.profile!.description).toBe(`${TRICKY} #${UPDATES - 1}`)
  })

  it('streams CSV with a header row and every field that needs it quoted', async () => {
    const res = await download(server, '/audit/events.csv?type=CustomerUpdated&order=desc')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="audit-events.csv"')
    expect(res.headers.get('transfer-encoding')).toBe('chunked')
    const [header, ...rows] = parseCsv(res.text)
    expect(header).toEqual([
      'position', 'recorded_at', 'type', 'schema_version', 'stream', 'revision', 'event_id', 'actor', 'client_ip',
      'correlation_id', 'causation_id', 'request_id', 'idempotency_key', 'order_ids', 'customer_ids', 'product_ids', 'changes', 'data',
    ])
    expect(rows.length).toBe(UPDATES)
    expect(rows.every((row) => row.length === header!.length)).toBe(true)
    const [newest] = rows
    const column = (name: string): string => newest![header!.indexOf(name)]!
    expect(column('position')).toBe(head.toString())
    expect(column('type')).toBe('CustomerUpdated')
    expect(column('actor')).toBe('bulk-import')
    expect(column('client_ip')).toBe('192.0.2.1')
    expect(column('customer_ids')).toBe('1')
    expect(column('causation_id')).toBe('')
    expect(JSON.parse(column('data')).profile.description).toBe(`${TRICKY} #${UPDATES - 1}`)
  })

  it('takes the same filters and access rules as the query, and refuses bad ones before streaming', async () => {
    const capped = await download(server, '/audit/events.ndjson?type=CustomerUpdated&limit=10&order=asc')
    expect(capped.text.trim().split('\n')).toHaveLength(10)

    const bad = await api.get('/audit/events.csv?order=random')
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields).toEqual([{ field: 'order', message: 'must be asc or desc' }])
    expect((await api.get('/audit/events.ndjson', { token: null })).status).toBe(401)

    // A key of a product with no licenses sees nothing of this customer's history: only its own issue.
    const scoped = await issueKey(api, { product_id: 'none-yet' })
    const csv = await download(server, '/audit/events.csv', scoped.token)
    expect(csv.status).toBe(200)
    const [, ...rows] = parseCsv(csv.text)
    expect(rows.map((row) => row[2])).toEqual(['ApiKeyIssued'])
  })
})
