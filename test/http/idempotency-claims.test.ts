// An Idempotency-Key is claimed in the log before the work it guards, so
// nodes on one log share it: engines on one log and one clock, over real HTTP.
// A claim whose holder died before recording a reply makes a retry wait, then
// answer 409 with Retry-After, until the claim lapses and the retry does the
// work; a request that failed gives its key back; the same key with another
// request is a 422 on any node.
import { describe, expect, it } from 'vitest'
import { DEFAULT_NODES_CONFIG } from '../../src/config.js'
import type { EventStore, NewEvent } from '../../src/store/port.js'
import { testClock } from '../support/clock.js'
import { useEngines } from '../support/engine.js'
import { client, type TestServer } from '../support/server.js'

const engines = useEngines()

/** Engines on one log, their clocks one clock; `wraps[i]` wraps the store of the i-th. */
const onOneLog = async (wraps: readonly ((store: EventStore) => EventStore)[]): Promise<TestServer[]> => {
  const eventLogPath = engines.dir('log').file('events.sqlite')
  const clock = testClock()
  const nodes = { ...DEFAULT_NODES_CONFIG, idempotency: { claimTtlMs: 60_000, waitMs: 300 } }
  const started: TestServer[] = []
  for (const wrapStore of wraps) started.push(await engines.start({ clock, wrapStore, config: { eventLogPath, nodes } }))
  return started
}

/** A store whose appends holding an event of one of `types` fail, as when the node dies before they are made. */
const failing =
  (types: readonly string[], times = Number.MAX_SAFE_INTEGER) =>
  (store: EventStore): EventStore => {
    let left = times
    return {
      ...store,
      appendToStream: (streamName: string, events: readonly NewEvent[], expected) => {
        if (left > 0 && events.some((event) => types.includes(event.type))) {
          left -= 1
          return Promise.reject(new Error('injected: the node died'))
        }
        return store.appendToStream(streamName, events, expected)
      },
    }
  }
const untouched = (store: EventStore): EventStore => store

/** The idempotency streams' events, by type: the claims and replies of the test's one key. */
const keyEvents = async (server: TestServer): Promise<{ streams: string[]; types: string[] }> => {
  const events = (await server.running.store.readAll({ maxCount: 10_000 })).filter((event) => event.streamName.startsWith('idempotency-'))
  return { streams: [...new Set(events.map((event) => event.streamName))], types: events.map((event) => event.type) }
}

describe('Idempotency-Key claims across nodes', () => {
  it('given a claim whose holder died before recording a reply, then a retry on another node waits, answers 409 with Retry-After until the claim lapses, and then does the work', async () => {
    const [a, b] = (await onOneLog([failing(['IdempotentReplyRecorded', 'IdempotencyClaimReleased']), untouched])) as [TestServer, TestServer]
    const headers = { 'idempotency-key': 'died-holding' }
    const body = { name: 'Claimed Ltd' }
    expect((await client(a).post('/customers', body, { headers })).status).toBe(500)

    const started = Date.now()
    const busy = await client(b).post('/customers', body, { headers })
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)
    expect([busy.status, busy.headers.get('retry-after')]).toEqual([409, '1'])
    expect(busy.body).toEqual({ error: { status: 409, message: 'a request with this Idempotency-Key is still being processed; try again later' } })
    // Another request with the key is refused at once, claim or no claim.
    const other = await client(b).post('/customers', { name: 'Another Ltd' }, { headers })
    expect(other.status).toBe(422)

    b.clock.advance(60_000)
    const done = await client(b).post('/customers', body, { headers })
    expect(done.status, done.text).toBe(201)
    const replayed = await client(a).post('/customers', body, { headers })
    expect([replayed.status, replayed.headers.get('idempotent-replayed')]).toEqual([201, 'true'])
    expect(replayed.body).toEqual(done.body)

    const key = await keyEvents(b)
    expect(key.types).toEqual(['IdempotencyKeyClaimed', 'IdempotencyKeyClaimed', 'IdempotentReplyRecorded'])
    // The stream is named by a hash of credential and key: neither can be read from it.
    expect(key.streams).toEqual([expect.stringMatching(/^idempotency-[0-9a-f]{64}$/)])
  })

  it('given a write that failed, then its key is given back, and a retry does the work', async () => {
    const [node] = (await onOneLog([failing(['CustomerCreated'], 1)])) as [TestServer]
    const headers = { 'idempotency-key': 'failed-once' }
    expect((await client(node).post('/customers', { name: 'Retried Ltd' }, { headers })).status).toBe(500)
    const retried = await client(node).post('/customers', { name: 'Retried Ltd' }, { headers })
    expect(retried.status, retried.text).toBe(201)
    expect(retried.headers.get('idempotent-replayed')).toBeNull()
    expect((await keyEvents(node)).types).toEqual(['IdempotencyKeyClaimed', 'IdempotencyClaimReleased', 'IdempotencyKeyClaimed', 'IdempotentReplyRecorded'])
  })

  it('given a key used on one node, then the same key with another request is a 422 on another node', async () => {
    const [a, b] = (await onOneLog([untouched, untouched])) as [TestServer, TestServer]
    const headers = { 'idempotency-key': 'used-on-a' }
    expect((await client(a).post('/customers', { name: 'On A' }, { headers })).status).toBe(201)
    const other = await client(b).post('/customers', { name: 'On B' }, { headers })
    expect(other.status).toBe(422)
    expect(other.body.error.message).toMatch(/different request/)
  })
})
