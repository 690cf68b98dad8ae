// The audit trail after a stream's retention let old events go (lease
// renewals past LEASE_HISTORY_RETENTION_DAYS, old leadership leases): the
// index still names them, the log no longer holds them. Queries and exports
// leave them out and page on past them; an event missing anywhere else is
// still an error, never papered over.
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventMetadata } from '../../src/application/metadata.js'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import type { DomainEvent } from '../../src/domain/events.js'
import { auditReader, type AuditEntry, type AuditFilter } from '../../src/projections/audit-reader.js'
import { NOW, seedTerms } from '../domain/fixtures.js'
import { auditIndexOn } from '../support/audit-index.js'

const at = NOW.toISOString()
const meta: Omit<EventMetadata, 'schemaVersion'> = { actor: 'system:leadership', correlationId: 'c-1', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }
const lease = (n: number): DomainEvent => ({
  type: n === 0 ? 'LeadershipTaken' : 'LeadershipRenewed',
  data: { role: 'webhooks', node: 'node-a', expiresAt: new Date(NOW.getTime() + (n + 1) * 15_000).toISOString(), at },
})
const filter = (f: Partial<AuditFilter> = {}): AuditFilter => ({ subjects: [], types: [], actor: null, from: null, to: null, ...f })

describe('the audit trail after retention', () => {
  const { dir, store, append, index, reader: readerOf, close } = auditIndexOn('audit-retention', meta)
  let reader: ReturnType<typeof auditReader>
  const all = async (pageSize: number): Promise<string[]> => {
    const entries: AuditEntry[] = []
    for await (const page of reader.pages(filter(), { order: 'asc', cursor: null }, null, pageSize)) entries.push(...page)
    return entries.map((entry) => `${entry.position} ${entry.type}`)
  }

  beforeAll(async () => {
    // 1: the order; 2..7: six leases; 8: an update of the order.
    await append('order-o1', { type: 'OrderCreated', data: { orderId: 'o1', activationKey: 'KEY-ONE' as ActivationKey, terms: seedTerms, at } })
    for (let n = 0; n < 6; n += 1) await append('leadership-webhooks', lease(n))
    await append('order-o1', { type: 'OrderUpdated', data: { orderId: 'o1', terms: { ...seedTerms, activations_allowed: 12 }, at } })
    await index()
    reader = readerOf()
    await store.setStreamRetention('leadership-webhooks', { maxCount: 2 })
  })
  afterAll(close)

  it('leaves out what the log no longer holds, in queries and in exports, whatever the page size', async () => {
    const kept = ['1 OrderCreated', '6 LeadershipRenewed', '7 LeadershipRenewed', '8 OrderUpdated']
    expect(await all(500)).toEqual(kept)
    expect(await all(2)).toEqual(kept)
  })

  it('pages on past a page of events the log let go: short pages, never a cut-off', async () => {
    const first = await reader.page(filter(), { order: 'asc', cursor: null }, 3)
    expect(first.items.map((entry) => entry.position)).toEqual(['1'])
    expect(first.nextCursor).toBe('3')
    const second = await reader.page(filter(), { order: 'asc', cursor: 3n }, 3)
    expect(second.items.map((entry) => entry.position)).toEqual(['6'])
    expect(second.nextCursor).toBe('6')
  })

  it('still refuses an index that names an event the log should hold and does not', async () => {
    const raw = new Database(dir.file('events.sqlite'))
    raw.prepare("DELETE FROM events WHERE stream = 'order-o1' AND revision = 1").run()
    raw.close()
    await expect(all(500)).rejects.toThrow(/order-o1@1 at position 8, which the event log does not hold there/)
  })
})
