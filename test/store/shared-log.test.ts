// Several engine processes on one embedded log (LICENSING_EVENT_LOG), each
// with its own data directory for its read models and outboxes: real child
// processes, real HTTP on loopback. Each appends, and each sees the other's
// events through its own subscription to the log.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { eventually } from '../support/eventually.js'
import { seedCustomer } from '../support/fixtures.js'
import { spawnEngine, type EngineProcess } from '../support/process.js'
import { ADMIN_TOKEN, client, type Client } from '../support/server.js'
import { makeTempDir } from '../support/tmp.js'

describe('two engine processes sharing one event log', () => {
  it('both append, and each one\'s read models hold the other\'s writes', async () => {
    const dir = makeTempDir('shared-log')
    const eventLog = dir.file('events.sqlite')
    // Nodes on one log share their secrets (each would otherwise generate its own).
    const shared = {
      LICENSING_EVENT_LOG: eventLog,
      LICENSING_ADMIN_TOKEN: ADMIN_TOKEN,
      LICENSING_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      LICENSING_WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
      SEAT_SWEEP_INTERVAL_MS: '0',
    }
    const node = (name: string): Record<string, string> => ({ ...shared, LICENSING_DATA_DIR: join(dir.path, name) })
    const engines: EngineProcess[] = []
    try {
      // Started together, so they also open (and set up) the one log at the same time.
      engines.push(...(await Promise.all([spawnEngine(node('a')), spawnEngine(node('b'))])))
      const [a, b] = engines.map((engine) => client(engine)) as [Client, Client]

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
      expect(existsSync(join(dir.path, 'a', 'events.sqlite')) || existsSync(join(dir.path, 'b', 'events.sqlite'))).toBe(false)
      expect(existsSync(join(dir.path, 'a', 'read-models.sqlite')) && existsSync(join(dir.path, 'b', 'read-models.sqlite'))).toBe(true)
    } finally {
      await Promise.all(engines.map((engine) => engine.kill()))
      dir.remove()
    }
  }, 60_000)
})
