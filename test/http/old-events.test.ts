// A log holding events an older release wrote (customer events at schema
// version 1, whose profiles had no CustomTags): the live API, point-in-time
// reads, the audit log and a verified replay all read them, upcast.
import { join } from 'node:path'
import { v4 as uuid } from 'uuid'
import { beforeAll, describe, expect, it } from 'vitest'
import type { NewEvent } from '../../src/store/port.js'
import { ExpectedVersion } from '../../src/store/port.js'
import { replayCommand } from '../../src/tools/replay.js'
import { createTemplate, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

const KEY = 'OLDER-EVENTS'
const HOUR = 3_600_000

const v1Profile = (name: string) => ({
  name,
  description: null,
  phone_number: null,
  fax_number: null,
  street: null,
  city: 'Shortport',
  country: 'USA',
  zip_code: null,
  state: null,
  Contacts: [{ name: 'James Taylor', email: 'nfisher@test.x-formation.com' }],
})

/** An event exactly as the older release stored it: its data and metadata at schema version 1. */
const v1 = (type: string, data: Record<string, unknown>): NewEvent => ({
  id: uuid(),
  type,
  data: data as NewEvent['data'],
  metadata: { schemaVersion: 1, actor: 'admin-token', correlationId: uuid(), causationId: null, requestId: null, clientIp: '198.51.100.4', idempotencyKey: null },
})

describe('events written by an older release', () => {
  const server = useEngine()
  const api = client(server)

  beforeAll(async () => {
    const store = server.running.store
    const at = () => server.clock.now().toISOString()
    // 10:00 customer 1, as the older release created it.
    await store.appendToStream('sequence-customer', [v1('IdAllocated', { id: 1, at: at() })], ExpectedVersion.noStream)
    await store.appendToStream('customer-1', [v1('CustomerCreated', { customerId: 1, profile: v1Profile('Rivers Inc'), at: at() })], ExpectedVersion.noStream)
    const template = await createTemplate(api, '1')
    expect((await api.post('/license-orders', { ...seedOrder(1, template), activation_key: KEY })).status).toBe(201)
    // 11:00 renamed, still by the older release.
    server.clock.advance(HOUR)
    await store.appendToStream('customer-1', [v1('CustomerUpdated', { customerId: 1, profile: v1Profile('Rivers & Sons'), at: at() })], ExpectedVersion.exact(0))
    // A write through this server, so its reads wait for the log up to here.
    await createTemplate(api, '2', 'Later')
    server.clock.advance(HOUR)
  })

  it('reads them in the live API, upcast to the current schema', async () => {
    const order = await api.get(`/license-orders/${KEY}`)
    expect(order.status).toBe(200)
    expect(order.body.customer).toMatchObject({ name: 'Rivers & Sons', CustomTags: [] })
    expect((await api.get('/customers/1')).body).toMatchObject({ id: 1, name: 'Rivers & Sons', CustomTags: [], created_at: '2026-11-22T10:00:00.000Z' })
    expect((await api.get('/customers')).body.items).toEqual([expect.objectContaining({ id: 1, CustomTags: [] })])
    // New changes are decided on the state folded from them.
    const tagged = await api.patch('/customers/1', { CustomTags: [{ tag_name: 'tier', value: 'gold' }] })
    expect(tagged.status).toBe(200)
    expect(tagged.body).toMatchObject({ name: 'Rivers & Sons', CustomTags: [{ tag_name: 'tier', value: 'gold' }] })
    expect((await api.post('/customers', { name: 'Next' })).body.id).toBe(2)
  })

  it('reads them as of an instant', async () => {
    const then = await api.get(`/license-orders/${KEY}?asOf=2026-11-22T10:30:00Z`)
    expect(then.status).toBe(200)
    expect(then.body.customer).toMatchObject({ name: 'Rivers Inc', CustomTags: [] })
    expect((await api.get(`/license-orders/${KEY}?asOf=2026-11-22T11:30:00Z`)).body.customer).toMatchObject({ name: 'Rivers & Sons', CustomTags: [] })
  })

  it('shows them in the audit log at the version they were written, their data at the current one', async () => {
    const res = await api.get('/audit/events?customer_id=1&type=CustomerCreated&type=CustomerUpdated&order=asc')
    expect(res.status).toBe(200)
    expect(res.body.items.map((e: { type: string; schema_version: number; client_ip: string | null }) => [e.type, e.schema_version, e.client_ip])).toEqual([
      ['CustomerCreated', 1, '198.51.100.4'],
      ['CustomerUpdated', 1, '198.51.100.4'],
      ['CustomerUpdated', 2, '127.0.0.1'],
    ])
    expect(res.body.items[0].data.profile.CustomTags).toEqual([])
  })

  it('replays them into read models that match the live ones', async () => {
    const out: string[] = []
    const err: string[] = []
    const code = await replayCommand(['--verify', '--into', join(server.dir.path, 'replayed')], { LICENSING_DATA_DIR: server.dir.path }, {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
    })
    expect(code, `${out.join('')}${err.join('')}`).toBe(0)
    expect(out.join('')).toMatch(/^verified: /)
  })
})
