// Several engine processes on one embedded log (LICENSING_EVENT_LOG), each
// with its own data directory for its read models and outboxes: real child
// processes, real HTTP on loopback. Each appends, and each sees the other's
// events through its own subscription to the log.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useEngines } from '../support/engine.js'
import { eventually } from '../support/eventually.js'
import { seedCustomer } from '../support/fixtures.js'
import type { Client } from '../support/server.js'

const engines = useEngines()

describe('two engine processes sharing one event log', () => {
  it('both append, and each one\'s read models hold the other\'s writes', async () => {
    const { nodes, eventLog } = await engines.nodes(2)
    const [a, b] = nodes.map((node) => node.api) as [Client, Client]

    const created = await Promise.all([
      a.post('/customers', { ...seedCustomer, name: 'Made on A' }),
      b.post('/customers', { ...seedCustomer, name: 'Made on B' }),
      a.post('/customers', { ...seedCustomer, name: 'Made on A, too' }),
    ])
    expect(created.map((res) => res.status)).toEqual([201, 201, 201])
    // One sequence stream decided across both processes: three different ids.
    expect(new Set(created.map((res) => res.body.id)).size).toBe(3)

    const names = async (api: Client): Promise<string[] | undefined> => {
      const items = (await api.get('/customers')).body.items as { name: string }[]
      return items.length === 3 ? items.map((c) => c.name).sort() : undefined
    }
    const expected = ['Made on A', 'Made on A, too', 'Made on B']
    expect(await eventually(() => names(a), 15_000, "A's read models to hold B's customer")).toEqual(expected)
    expect(await eventually(() => names(b), 15_000, "B's read models to hold A's customers")).toEqual(expected)

    // The log is the shared file; the read models are each node's own.
    expect(existsSync(eventLog)).toBe(true)
    for (const { dataDir } of nodes) {
      expect(existsSync(join(dataDir, 'events.sqlite'))).toBe(false)
      expect(existsSync(join(dataDir, 'read-models.sqlite'))).toBe(true)
    }
  }, 60_000)
})
