// Read-your-writes on any node: every reply to a write carries the log
// position of what it wrote (X-Log-Position), and a request sending it back
// is answered once the node holds that position; a node that cannot reach it
// in time answers 503 with Retry-After, and a header that names no position of
// the log is a 400 naming it, in the API's own envelope.
import { describe, expect, it } from 'vitest'
import { DEFAULT_NODES_CONFIG } from '../../src/config.js'
import { babelClient } from '../support/babel.js'
import { testClock } from '../support/clock.js'
import { useEngines } from '../support/engine.js'
import { eventually } from '../support/eventually.js'
import { faultyStore } from '../support/faulty-store.js'
import { client } from '../support/server.js'

const engines = useEngines()
const LOG_POSITION = 'x-log-position'

describe('the log position of a write', () => {
  it('is on every reply to a write, as the position of its last event; a replay answers the first one; a read carries none', async () => {
    const server = await engines.start()
    const api = client(server)
    const created = await api.post('/customers', { name: 'Positioned Ltd' })
    const [event] = await server.running.store.readStream(`customer-${created.body.id}`)
    expect(created.headers.get(LOG_POSITION)).toBe(event!.position.toString())

    const headers = { 'idempotency-key': 'positioned' }
    const first = await api.post('/customers', { name: 'Once Ltd' }, { headers })
    const [written] = await server.running.store.readStream(`customer-${first.body.id}`)
    const again = await api.post('/customers', { name: 'Once Ltd' }, { headers })
    expect([first.headers.get(LOG_POSITION), again.headers.get(LOG_POSITION)]).toEqual([written!.position.toString(), written!.position.toString()])

    expect((await api.get('/customers')).headers.get(LOG_POSITION)).toBeNull()
  })

  it('refuses a header that names no position of the log, with a 400 naming it in the API\'s envelope', async () => {
    const server = await engines.start()
    const api = client(server)
    const head = (await api.post('/customers', { name: 'Head Ltd' })).headers.get(LOG_POSITION)!

    const malformed = await api.get('/customers', { headers: { [LOG_POSITION]: 'latest' } })
    expect(malformed.status).toBe(400)
    expect(malformed.body).toEqual({ error: { status: 400, message: 'The request is not valid.', fields: [{ field: 'X-Log-Position', message: "must be a log position, as a write's reply gave it" }] } })
    const past = await babelClient(server)('info', { userKey: 'NONE' }, { [LOG_POSITION]: String(BigInt(head) + 1n) })
    expect(past.status).toBe(400)
    expect(past.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: { 'X-Log-Position': ['X-Log-Position is past the end of the event log'] } })
  })

  it('is waited for by a node behind it: 503 with Retry-After past the wait, the read once the node holds it', async () => {
    const eventLogPath = engines.dir('log').file('events.sqlite')
    const clock = testClock()
    const config = { eventLogPath, nodes: { ...DEFAULT_NODES_CONFIG, logPositionWaitMs: 300 } }
    const a = await engines.start({ clock, config })
    const faults = faultyStore()
    const b = await engines.start({ clock, config, wrapStore: faults.wrap })
    faults.dropSubscriptions()

    const created = await client(a).post('/customers', { name: 'Written on A' })
    const headers = { [LOG_POSITION]: created.headers.get(LOG_POSITION)! }
    const behind = await client(b).get('/customers', { headers })
    expect([behind.status, behind.headers.get('retry-after')]).toEqual([503, '1'])
    expect(behind.body.error.message).toMatch(/^This node has not caught up with log position \d+ yet; try again shortly\.$/)

    faults.restore()
    const read = await eventually(async () => {
      const res = await client(b).get('/customers', { headers })
      return res.status === 200 ? res : undefined
    }, 15_000, "B's read models to reach A's write")
    expect(read.body.items.map((c: { name: string }) => c.name)).toEqual(['Written on A'])
  })
})
