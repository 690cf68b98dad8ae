// The audit index, fed a real log: what each event concerns (derived from
// the ids it names and the order as it stood before and after it), the
// changes it made, the keys an order had, and secrets kept out. The entries'
// data and metadata are read back from the log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventMetadata } from '../../src/application/metadata.js'
import type { DomainEvent } from '../../src/domain/events.js'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { noActivationDetails } from '../../src/domain/order/index.js'
import { auditReader, type AuditEntry, type AuditFilter } from '../../src/projections/audit-reader.js'
import { NOW, seedTerms } from '../domain/fixtures.js'
import { auditIndexOn } from '../support/audit-index.js'

const at = NOW.toISOString()
const meta: Omit<EventMetadata, 'schemaVersion'> = { actor: 'admin-token', correlationId: 'c-1', causationId: 'r-1', requestId: 'r-1', clientIp: '203.0.113.7', idempotencyKey: null }
const K1 = 'KEY-ONE' as ActivationKey
const K2 = 'KEY-TWO' as ActivationKey
const moved = { ...seedTerms, customer_id: 2, product_template_id: 2 }

// In log order; the comment is each event's position.
const log: readonly (readonly [string, DomainEvent])[] = [
  ['productTemplate-1', { type: 'ProductTemplateCreated', data: { templateId: 1, name: 'One', productId: 'A', at } }], // 1
  ['productTemplate-2', { type: 'ProductTemplateCreated', data: { templateId: 2, name: 'Two', productId: 'B', at } }], // 2
  ['order-o1', { type: 'OrderCreated', data: { orderId: 'o1', activationKey: K1, terms: seedTerms, at } }], // 3
  ['order-o1', { type: 'OrderUpdated', data: { orderId: 'o1', terms: moved, at } }], // 4: to customer 2 and product B
  ['order-o1', { type: 'OrderUpdated', data: { orderId: 'o1', terms: { ...moved, activations_allowed: 12 }, at } }], // 5
  ['order-o1', { type: 'ActivationKeyChanged', data: { orderId: 'o1', from: K1, to: K2, at } }], // 6
  ['order-o2', { type: 'OrderCreated', data: { orderId: 'o2', activationKey: K1, terms: seedTerms, at } }], // 7: K1 again, for another order
  ['apiKey-p', { type: 'ApiKeyIssued', data: { keyId: 'p', name: 'reseller', secretHash: 'ab12', scope: { kind: 'product', productId: 'A' }, expiresAt: null, at } }], // 8
  ['apiKey-l', { type: 'ApiKeyIssued', data: { keyId: 'l', name: 'device', secretHash: 'cd34', scope: { kind: 'license', orderId: 'o1' }, expiresAt: null, at } }], // 9
  [
    'webhookEndpoint-w',
    {
      type: 'WebhookEndpointRegistered',
      data: { endpointId: 'w', url: 'https://example.com/hook', events: ['*'], description: null, enabled: true, secret: { alg: 'A256GCM', kid: 'k', iv: 'i', tag: 't', ciphertext: 'c' }, at },
    },
  ], // 10
  [
    'order-o2',
    {
      type: 'MachineActivated',
      data: {
        orderId: 'o2',
        activationId: 'a1',
        clientId: 'client-1',
        machineId: 'machine-1',
        clientName: null,
        clientAddr: null,
        // What the client claims: not what the license is.
        details: { ...noActivationDetails, productId: 'B' },
        at,
      },
    },
  ], // 11
]

const filter = (f: Partial<AuditFilter>): AuditFilter => ({ subjects: [], types: [], actor: null, from: null, to: null, ...f })

describe('audit index', () => {
  const { db, append, index, reader: readerOf, close } = auditIndexOn('audit-index', meta)
  let reader: ReturnType<typeof auditReader>
  const collect = async (pages: AsyncIterable<readonly AuditEntry[]>): Promise<AuditEntry[]> => {
    const entries: AuditEntry[] = []
    for await (const page of pages) entries.push(...page)
    return entries
  }
  const all = (f: Partial<AuditFilter> = {}): Promise<AuditEntry[]> => collect(reader.pages(filter(f), { order: 'asc', cursor: null }, null))
  const positions = async (f: Partial<AuditFilter>): Promise<number[]> => (await all(f)).map((e) => Number(e.position))

  beforeAll(async () => {
    for (const [streamName, event] of log) await append(streamName, event)
    await index()
    reader = readerOf()
  })
  afterAll(close)

  it('indexes every event with its metadata', async () => {
    const entries = await all()
    const [first] = entries
    expect(entries).toHaveLength(log.length)
    expect(first).toMatchObject({
      position: '1',
      type: 'ProductTemplateCreated',
      stream: 'productTemplate-1',
      recordedAt: at,
      actor: 'admin-token',
      clientIp: '203.0.113.7',
      correlationId: 'c-1',
      causationId: 'r-1',
      requestId: 'r-1',
      idempotencyKey: null,
      schemaVersion: 1,
    })
  })

  it("given an order's event, then it concerns the order and its customer and product as they stood before and after it", async () => {
    expect((await all())[3]!.concerns).toEqual({ order_ids: ['o1'], customer_ids: [1, 2], product_ids: ['A', 'B'] })
    expect(await positions({ subjects: [{ kind: 'product', value: 'A' }] })).toEqual([1, 3, 4, 7, 8, 11])
    expect(await positions({ subjects: [{ kind: 'product', value: 'B' }] })).toEqual([2, 4, 5, 6, 9])
    expect(await positions({ subjects: [{ kind: 'customer', value: '2' }] })).toEqual([4, 5, 6, 9])
    expect(await positions({ subjects: [{ kind: 'order', value: 'o1' }, { kind: 'product', value: 'A' }] })).toEqual([3, 4])
  })

  it('given events of other aggregates, then they concern what they name: a template its product, a key its scope', async () => {
    expect((await all())[7]!.concerns).toEqual({ order_ids: [], customer_ids: [], product_ids: ['A'] })
    expect((await all())[8]!.concerns).toEqual({ order_ids: ['o1'], customer_ids: [2], product_ids: ['B'] })
    expect((await all())[9]!.concerns).toEqual({ order_ids: [], customer_ids: [], product_ids: [] })
  })

  it("given what a client claims deeper in an event (an activation's details.productId), then it widens nothing", async () => {
    expect((await all())[10]!.concerns).toEqual({ order_ids: ['o2'], customer_ids: [1], product_ids: ['A'] })
    expect((await all())[10]!.changes).toEqual([])
  })

  it('given a change of an existing order, then the fields it changed, old and new; a creation has none', async () => {
    const entries = await all()
    expect(entries[2]!.changes).toEqual([])
    expect(entries[3]!.changes).toEqual([
      { field: 'terms.customer_id', old: 1, new: 2 },
      { field: 'terms.product_template_id', old: 1, new: 2 },
    ])
    expect(entries[4]!.changes).toEqual([{ field: 'terms.activations_allowed', old: 10, new: 12 }])
    expect(entries[5]!.changes).toEqual([{ field: 'activationKey', old: K1, new: K2 }])
  })

  it('resolves a key to the order that took it last, and knows an order by its id', async () => {
    expect(reader.resolveLicense(K1)).toBe('o2')
    expect(reader.resolveLicense(K2)).toBe('o1')
    expect(reader.resolveLicense('o1')).toBe('o1')
    expect(reader.resolveLicense('nothing')).toBeNull()
    expect(reader.license('o1')).toEqual({ orderId: 'o1', activationKey: K2, customerId: 2, productId: 'B' })
  })

  it('keeps secrets out of the index', async () => {
    const entries = await all()
    expect(entries[7]!.data).toMatchObject({ secretHash: '[redacted]', scope: { kind: 'product', productId: 'A' } })
    expect(entries[9]!.data).toMatchObject({ secret: '[redacted]', url: 'https://example.com/hook' })
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]
    const stored = tables.map((table) => JSON.stringify(db.prepare(`SELECT * FROM "${table}"`).all())).join('\n')
    expect(stored).not.toMatch(/ab12|cd34|ciphertext/)
  })

  it('pages newest first from a cursor, and stops where the index stood when an export began', async () => {
    expect(await reader.page(filter({}), { order: 'desc', cursor: null }, 3)).toMatchObject({ nextCursor: '9' })
    expect((await reader.page(filter({}), { order: 'desc', cursor: 9n }, 3)).items.map((e) => e.position)).toEqual(['8', '7', '6'])
    expect(await reader.page(filter({}), { order: 'desc', cursor: 2n }, 3)).toMatchObject({ nextCursor: null })
    const pages = reader.pages(filter({}), { order: 'asc', cursor: null }, null, 4)
    expect((await pages.next()).value).toHaveLength(4)
    // An event indexed while the export runs (position 12) is not in it.
    await append('productTemplate-3', { type: 'ProductTemplateCreated', data: { templateId: 3, name: 'Three', productId: 'C', at } })
    await index()
    expect((await collect(pages)).map((e) => e.position)).toEqual(['5', '6', '7', '8', '9', '10', '11'])
  })
})
