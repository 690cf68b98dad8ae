// `licensing replay --verify` on EventStoreDB: a real server writes through
// EventStoreDB (read models in SQLite, as in production), and the replay reads
// the same $all. Needs an EventStoreDB of its own (a container); skipped, with
// the reason, where none can run.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replayCommand } from '../../src/tools/replay.js'
import { eventStoreDb, type EventStoreDbServer } from '../support/eventstoredb.js'
import { createCustomer, createTemplate, seedOrder } from '../support/fixtures.js'
import { client, startTestServer, type TestServer } from '../support/server.js'

describe('licensing replay on EventStoreDB', () => {
  let esdb: EventStoreDbServer | null = null
  let server: TestServer | null = null
  let skip: string | null = null

  beforeAll(async () => {
    const found = await eventStoreDb()
    if ('skip' in found) {
      skip = found.skip
      return
    }
    if (found.shared) {
      // Other tests write events of their own making to a shared server's $all; replaying those is not the point here.
      skip = 'needs an EventStoreDB of its own; the one named by EVENTSTORE_CONNECTION_STRING is shared with the contract suite'
      return
    }
    esdb = found
    server = await startTestServer({ config: { eventStoreConnectionString: found.connectionString } })
    const api = client(server)
    const customer = await createCustomer(api)
    const template = await createTemplate(api, '1')
    expect((await api.post('/license-orders', { ...seedOrder(customer, template), activation_key: 'ESDB-REPLAY1' })).status).toBe(201)
    expect((await api.patch('/license-orders/ESDB-REPLAY1', { ...seedOrder(customer, template), activations_allowed: 12 })).status).toBe(200)
    expect((await api.get('/license-orders/ESDB-REPLAY1')).body.activations_allowed).toBe('12')
  }, 180_000)
  afterAll(async () => {
    await server?.stop()
    server?.dir.remove()
    await esdb?.stop()
  })

  it('rebuilds the read models from $all and finds them equal to the live ones', async (context) => {
    if (skip !== null) context.skip(skip)
    const out: string[] = []
    const err: string[] = []
    const code = await replayCommand(
      ['--verify', '--into', join(server!.dir.path, 'replayed')],
      { LICENSING_DATA_DIR: server!.dir.path, EVENTSTORE_CONNECTION_STRING: esdb!.connectionString },
      { out: (text) => out.push(text), err: (text) => err.push(text) },
    )
    expect(code, `${out.join('')}${err.join('')}`).toBe(0)
    expect(out.join('')).toMatch(/^verified: /)
  })
})
