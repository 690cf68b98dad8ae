// The log's hash chain on EventStoreDB: a subscriber chains $all and appends
// signed checkpoints to a stream outside the engine's prefix; verify-log and
// the chained export check them. Needs an EventStoreDB of its own (a
// container); skipped, with the reason, where none can run.
import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyExportCommand } from '../../src/tools/verify-export.js'
import { verifyLogCommand } from '../../src/tools/verify-log.js'
import { babelClient, clientBody, createLicense } from '../support/babel.js'
import { eventStoreDb, type EventStoreDbServer } from '../support/eventstoredb.js'
import { createCustomer, createTemplate } from '../support/fixtures.js'
import { client, startTestServer, type TestServer } from '../support/server.js'

describe('the log chain on EventStoreDB', () => {
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
      skip = 'needs an EventStoreDB of its own; the one named by EVENTSTORE_CONNECTION_STRING is shared with the contract suite'
      return
    }
    esdb = found
    server = await startTestServer({ config: { eventStoreConnectionString: found.connectionString } })
    const api = client(server)
    const babel = babelClient(server)
    const { key } = await createLicense(api, babel, await createCustomer(api), await createTemplate(api, '1'), 'ESDB-CHAIN1')
    for (const n of [1, 2]) expect((await babel('request', clientBody(key, n))).status).toBe(200)
  }, 180_000)
  afterAll(async () => {
    await server?.stop()
    server?.dir.remove()
    await esdb?.stop()
  })

  const settle = async (): Promise<void> => {
    // The subscriber chains what it has read: wait until its tip is the log's head, then sign it.
    const head = await server!.running.store.headPosition()
    for (let i = 0; i < 200; i += 1) {
      const checkpoint = await server!.running.logCheckpoints.checkpoint()
      if (checkpoint !== null && checkpoint.position === head) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error('the chain did not reach the head of the log')
  }

  it('verify-log recomputes $all and verifies the checkpoints the subscriber appended', async (context) => {
    if (skip !== null) context.skip(skip)
    await settle()
    let out = ''
    const jwks = `${server!.url}/.well-known/jwks.json`
    const code = await verifyLogCommand(['--jwks', jwks], { LICENSING_DATA_DIR: server!.dir.path, EVENTSTORE_CONNECTION_STRING: esdb!.connectionString }, { out: (t) => (out += t), err: () => undefined })
    expect(out).toMatch(/is intact: \d+ events chained up to position \d+, [1-9]\d* signed checkpoint\(s\) verified/)
    expect(code).toBe(0)
  })

  it('exports the chained log, which verifies offline', async (context) => {
    if (skip !== null) context.skip(skip)
    const res = await client(server!).get('/audit/events.ndjson?chain=true')
    expect(res.status).toBe(200)
    const file = `${server!.dir.path}/export.ndjson`
    writeFileSync(file, res.text)
    let out = ''
    const code = await verifyExportCommand([file, '--jwks', `${server!.url}/.well-known/jwks.json`], { out: (t) => (out += t), err: (t) => (out += t) })
    expect(out).toContain('is intact')
    expect(code).toBe(0)
  })
})
