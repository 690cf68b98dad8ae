// The leadership loop on a real SQLite log, two nodes on one store: the first
// to claim leads at once; the other waits; a holder that cannot renew steps
// down before its lease runs out, and the other takes the role once it has;
// a holder that stops gives the role back and the other takes it at once.
import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createCommandHandler } from '../../src/application/command-handler.js'
import { createLeadership, type Leadership } from '../../src/application/leadership.js'
import type { SenderRole } from '../../src/domain/leadership/index.js'
import type { EventStore } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { eventually } from '../support/eventually.js'
import { faultyStore } from '../support/faulty-store.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

const LEASE_MS = 400
const logger = pino({ level: 'silent' })
const clock = (): Date => new Date()

/**
 * A log whose writer thread is up: its first append waits for the thread to start (seconds, from the
 * TypeScript sources on a loaded machine), which would eat a 400 ms lease before the first node knew it led.
 */
const startedStore = async (dir: TempDir): Promise<EventStore> => {
  const store = createSqliteEventStore({ path: dir.file('events.sqlite') })
  await store.appendToStream('warm-up', [{ id: randomUUID(), type: 'WarmedUp', data: {}, metadata: {} }], { kind: 'any' })
  return store
}

describe('leadership loop', () => {
  let dir: TempDir
  let store: EventStore
  const running: Leadership[] = []
  /** Every node's changes, in the order they happened. */
  const journal: string[] = []
  afterEach(async () => {
    for (const one of running.splice(0)) await one.stop()
    journal.splice(0)
    await store?.close()
    dir?.remove()
  })

  /** A node on the store (through `wrap`, for faults), recording when it starts and stops leading. */
  const node = (name: string, wrap: (store: EventStore) => EventStore = (s) => s) => {
    const changes: string[] = []
    const leadership = createLeadership({
      handler: createCommandHandler({ store: wrap(store), clock }),
      roles: ['webhooks', 'mail'],
      node: name,
      leaseMs: LEASE_MS,
      clock,
      logger,
      onChange: (role: SenderRole, leading: boolean) => {
        changes.push(`${leading ? '+' : '-'}${role}`)
        journal.push(`${name}${leading ? '+' : '-'}${role}`)
      },
    })
    running.push(leadership)
    return { leadership, changes }
  }

  it('leads at once when the roles are vacant; another node waits while the leader renews', async () => {
    dir = makeTempDir('leadership')
    store = await startedStore(dir)
    const a = node('a')
    const b = node('b')
    await a.leadership.start()
    expect(a.leadership.held()).toEqual(['webhooks', 'mail'])
    await b.leadership.start()
    expect(b.leadership.held()).toEqual([])
    // Several leases long: the holder renews, the other never takes over.
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 3))
    expect(a.leadership.leads('webhooks')).toBe(true)
    expect(b.changes).toEqual([])
    expect(a.changes).toEqual(['+webhooks', '+mail'])
  })

  it('steps down when it cannot renew in time, and the other node takes over once the lease has run out', async () => {
    dir = makeTempDir('leadership')
    store = await startedStore(dir)
    const faults = faultyStore()
    const a = node('a', faults.wrap)
    const b = node('b')
    await a.leadership.start()
    await b.leadership.start()
    expect(a.leadership.leads('mail')).toBe(true)

    faults.failAppends(1_000_000)
    await eventually(() => (!a.leadership.leads('mail') && !a.leadership.leads('webhooks') ? true : undefined), LEASE_MS * 3, 'the leader to step down')
    await eventually(() => (b.leadership.leads('mail') && b.leadership.leads('webhooks') ? true : undefined), LEASE_MS * 4, 'the other node to take over')
    expect(a.changes).toEqual(['+webhooks', '+mail', '-webhooks', '-mail'])
    // Never both: the leader stepped down before the other node took each role.
    for (const role of ['webhooks', 'mail']) expect(journal.indexOf(`a-${role}`)).toBeLessThan(journal.indexOf(`b+${role}`))
    faults.restore()
  })

  it('gives the roles back when it stops: the other node takes them at once', async () => {
    dir = makeTempDir('leadership')
    store = await startedStore(dir)
    const a = node('a')
    const b = node('b')
    await a.leadership.start()
    await b.leadership.start()
    await a.leadership.stop()
    expect(a.leadership.held()).toEqual([])
    // Well before a's lease would have run out.
    await eventually(() => (b.leadership.held().length === 2 ? true : undefined), LEASE_MS, 'the other node to take the roles')
  })
})
