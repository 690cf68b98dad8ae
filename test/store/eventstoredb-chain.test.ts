// The EventStoreDB chain ledger's own logic where no server runs: its
// subscriber chains a real (SQLite) log through the fault-injecting wrapper,
// and the checkpoints' stream is a stand-in for the client's two calls. A
// subscription that fails is made again from the chain's tip, after a pause,
// and /healthz's check says it is down meanwhile; the events counted towards
// the next checkpoint are those after the last one, wherever the chain is.
import * as E from 'fp-ts/Either'
import { v4 as uuid } from 'uuid'
import { afterEach, describe, expect, it } from 'vitest'
import { eventDigest, GENESIS_LINK, nextLink } from '../../src/chain/links.js'
import { chainedOfRecorded, createEventStoreDbChainLedger } from '../../src/store/eventstoredb-chain.js'
import { ExpectedVersion, type EventStore } from '../../src/store/port.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { eventually } from '../support/eventually.js'
import { faultyStore } from '../support/faulty-store.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

/** The client's checkpoints' stream, in memory: what readCheckpoints and put use of it. */
const checkpointsClient = () => {
  const stream: { data: unknown }[] = []
  const client = {
    appendToStream: async (_name: string, event: { data: unknown }) => {
      stream.push({ data: event.data })
      return { success: true }
    },
    readStream: (_name: string, options: { direction?: string; maxCount?: bigint | number }) => {
      const found = options.direction === 'backwards' ? [...stream].reverse().slice(0, Number(options.maxCount ?? stream.length)) : stream
      return (async function* () {
        for (const one of found) yield { event: { data: one.data } }
      })()
    },
  }
  return { client: client as never, stream }
}

const append = async (store: EventStore, count: number): Promise<void> => {
  for (let i = 0; i < count; i += 1) {
    const outcome = await store.appendToStream(`order-${uuid()}`, [{ id: uuid(), type: 'Tested', data: { i }, metadata: {} }], ExpectedVersion.noStream)
    expect(E.isRight(outcome)).toBe(true)
  }
}

/** The link at the log's head, chained from the start. */
const linkOfLog = async (store: EventStore): Promise<string> =>
  (await store.readAll({ maxCount: 10_000 })).reduce((link, event) => nextLink(link, eventDigest(chainedOfRecorded(event))), GENESIS_LINK)

describe('the EventStoreDB chain ledger', () => {
  let dir: TempDir
  afterEach(() => dir?.remove())

  it('subscribes again from its tip after its subscription fails, saying so in its health meanwhile, and chains every event once', async () => {
    dir = makeTempDir('esdb-chain')
    const log = createSqliteEventStore({ path: dir.file('events.sqlite'), pollIntervalMs: 20 })
    const faults = faultyStore()
    const drops: number[] = []
    const ledger = createEventStoreDbChainLedger({
      store: faults.wrap(log),
      client: checkpointsClient().client,
      prefix: 'licensing',
      firstPauseMs: 10,
      maxPauseMs: 50,
      onDrop: (_error, attempt) => drops.push(attempt),
    })
    await ledger.start()
    await append(log, 3)
    const head = await log.headPosition()
    await eventually(async () => ((await ledger.tip())?.position === head ? true : undefined), 5_000, 'the chain to reach the head')
    expect(ledger.health()).toEqual({ ok: true, detail: `following the log at position ${head}` })

    faults.dropSubscriptions()
    await append(log, 2)
    await eventually(() => (drops.length >= 2 ? true : undefined), 5_000, 'attempts to subscribe again')
    const health = ledger.health()
    expect(health.ok).toBe(false)
    expect(health.detail).toMatch(/down since .* attempts to resubscribe; last error: injected fault: .*resuming after 3$/)
    expect((await ledger.tip())?.position).toBe(head)

    faults.restore()
    const after = await log.headPosition()
    await eventually(async () => ((await ledger.tip())?.position === after ? true : undefined), 5_000, 'the chain to catch up')
    expect(ledger.health().ok).toBe(true)
    expect(faults.subscribedFrom().slice(-1)).toEqual([head])
    expect(await ledger.tip()).toEqual({ position: after, link: await linkOfLog(log), sinceCheckpoint: 5, lastCheckpoint: null })
    await ledger.close()
    await log.close()
  })

  it('counts towards the next checkpoint the events chained after the position signed, not zero', async () => {
    dir = makeTempDir('esdb-chain-since')
    const log = createSqliteEventStore({ path: dir.file('events.sqlite'), pollIntervalMs: 20 })
    const { client, stream } = checkpointsClient()
    const ledger = createEventStoreDbChainLedger({ store: log, client, prefix: 'licensing' })
    await ledger.start()
    await append(log, 3)
    const signedAt = await log.headPosition()
    await eventually(async () => ((await ledger.tip())?.position === signedAt ? true : undefined), 5_000, 'the chain to reach the head')
    const tip = (await ledger.tip())!
    // Two more events are chained while the tip is being signed.
    await append(log, 2)
    const head = await log.headPosition()
    await eventually(async () => ((await ledger.tip())?.position === head ? true : undefined), 5_000, 'the chain to reach the head')
    await ledger.put({ position: tip.position, link: tip.link, signedAt: new Date().toISOString(), jws: 'signed' })
    expect((await ledger.tip())?.sinceCheckpoint).toBe(2)
    expect(stream.map((one) => (one.data as { events: number }).events)).toEqual([3])
    await ledger.close()
    await log.close()
  })
})
