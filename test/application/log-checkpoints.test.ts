// The log's checkpoints are taken by themselves while events arrive: every
// `everyEvents` events (LOG_CHECKPOINT_EVENTS) and, for fewer, once
// `everyMs` (LOG_CHECKPOINT_INTERVAL_MS) has passed on the engine's clock;
// nothing new, nothing signed. A real SQLite log and its chain ledger; the
// test counts the checkpointer's polls (its reads of the tip) instead of
// waiting for time.
import { generateKeyPairSync } from 'node:crypto'
import { pino } from 'pino'
import { v4 as uuid } from 'uuid'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogCheckpointer } from '../../src/application/log-checkpoints.js'
import { checkpointSigner } from '../../src/chain/checkpoints.js'
import type { ChainLedger } from '../../src/chain/ledger.js'
import { ExpectedVersion, type EventStore } from '../../src/store/port.js'
import { openSqliteChainLedger } from '../../src/store/sqlite-chain-ledger.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { testClock } from '../support/clock.js'
import { eventually } from '../support/eventually.js'
import { makeTempDir } from '../support/tmp.js'

const EVERY_EVENTS = 5
const EVERY_MS = 60_000

describe('log checkpoints taken while events arrive', () => {
  const cleanup: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step()
  })

  it('signs the first event, then every LOG_CHECKPOINT_EVENTS events, and fewer once LOG_CHECKPOINT_INTERVAL_MS has passed; nothing new, nothing signed', async () => {
    const dir = makeTempDir('log-checkpoints')
    const path = dir.file('events.sqlite')
    const clock = testClock()
    const store: EventStore = createSqliteEventStore({ path, clock: clock.now })
    const opened = openSqliteChainLedger(path)
    let polls = 0
    const ledger: ChainLedger = { ...opened, tip: () => ((polls += 1), opened.tip()) }
    const checkpointer = createLogCheckpointer({
      ledger,
      sign: checkpointSigner(generateKeyPairSync('ed25519').privateKey, 'test'),
      clock: clock.now,
      settings: { everyEvents: EVERY_EVENTS, everyMs: EVERY_MS, pollMs: 5 },
      logger: pino({ level: 'silent' }),
    })
    cleanup.push(async () => dir.remove(), () => store.close(), () => opened.close(), () => checkpointer.stop())
    checkpointer.start()

    let revision = -1
    const append = async (count: number): Promise<void> => {
      const events = Array.from({ length: count }, () => ({ id: uuid(), type: 'Happened', data: {}, metadata: {} }))
      const appended = await store.appendToStream('things-1', events, revision < 0 ? ExpectedVersion.noStream : { kind: 'exact', revision })
      expect(appended._tag).toBe('Right')
      revision += count
    }
    /** The positions signed, once the checkpointer has polled `count` more times (each poll a whole look at the tip). */
    const signedAfterPolls = async (count = 3): Promise<bigint[]> => {
      const until = polls + count
      await eventually(() => (polls > until ? true : undefined), 10_000, `${count} polls`)
      return (await opened.checkpoints()).map((checkpoint) => checkpoint.position)
    }

    expect(await signedAfterPolls()).toEqual([])
    await append(1)
    expect(await signedAfterPolls()).toEqual([1n])
    // Fewer than LOG_CHECKPOINT_EVENTS, within the interval: not yet.
    await append(EVERY_EVENTS - 1)
    expect(await signedAfterPolls()).toEqual([1n])
    await append(1)
    expect(await signedAfterPolls()).toEqual([1n, BigInt(1 + EVERY_EVENTS)])
    // One more event: signed only once the interval has passed on the engine's clock.
    await append(1)
    clock.advance(EVERY_MS - 1)
    expect(await signedAfterPolls()).toEqual([1n, BigInt(1 + EVERY_EVENTS)])
    clock.advance(1)
    expect(await signedAfterPolls()).toEqual([1n, BigInt(1 + EVERY_EVENTS), BigInt(2 + EVERY_EVENTS)])
    // Nothing new: another interval signs nothing.
    clock.advance(EVERY_MS)
    expect(await signedAfterPolls()).toEqual([1n, BigInt(1 + EVERY_EVENTS), BigInt(2 + EVERY_EVENTS)])
  })
})
