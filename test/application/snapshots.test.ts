// Snapshots on the command side, against real SQLite files: a cold load of a
// long stream reads its snapshot and the events after it; a snapshot of
// another state version, of another log, unreadable or gone is not used (the
// stream is folded from the start, and a new snapshot taken); a snapshot
// that cannot be written or read never fails a command.
import { rmSync, writeFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import Database from 'better-sqlite3'
import * as E from 'fp-ts/Either'
import { afterEach, describe, expect, it } from 'vitest'
import { SequenceAggregate } from '../../src/application/aggregates.js'
import { createCommandHandler, type CommandHandler } from '../../src/application/command-handler.js'
import type { CommandMeta } from '../../src/application/metadata.js'
import { createSnapshots, type Snapshots } from '../../src/application/snapshots.js'
import { sequenceDecider, sequenceStream, type SequenceEvent } from '../../src/domain/sequence/index.js'
import { createLogger } from '../../src/logger.js'
import type { EventStore } from '../../src/store/port.js'
import { openSqliteSnapshotStore, type SnapshotStore } from '../../src/store/snapshots.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { eventReads } from '../support/event-reads.js'
import { makeTempDir, type TempDir } from '../support/tmp.js'

const meta: CommandMeta = { actor: 'test', correlationId: 'corr', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }
const INTERVAL = 10
const STREAM = sequenceStream('things')

/** The sequence's fold at another state version: the sum of the ids, where version 1 keeps the last. */
const SummingSequence = { ...SequenceAggregate, stateVersion: 2, decider: { ...sequenceDecider, evolve: (sum: number, event: SequenceEvent) => sum + event.data.id } }
const sumTo = (n: number): number => (n * (n + 1)) / 2

const logs: Record<string, unknown>[] = []
const logger = createLogger(
  'debug',
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  }),
)
const warnings = (): unknown[] => logs.filter((line) => line.level === 40).map((line) => line.msg)

describe('snapshots of stream states', () => {
  let dir: TempDir
  const open: (Snapshots | EventStore)[] = []
  afterEach(async () => {
    for (const resource of open.splice(0).reverse()) await resource.close()
    dir.remove()
  })

  const logAt = (name: string): EventStore => {
    const store = createSqliteEventStore({ path: dir.file(name) })
    open.push(store)
    return store
  }

  const setUp = () => {
    dir = makeTempDir('snapshots')
    logs.length = 0
    const log = logAt('events.sqlite')
    const reads = eventReads()
    const counted = reads.wrap(log)
    const snapshotFile = dir.file('snapshots.sqlite')
    const processes: Snapshots[] = []
    /** A process: a handler with an empty cache over the log and the snapshot file, as after a start. */
    const start = (options: { readonly file?: SnapshotStore; readonly store?: EventStore } = {}): CommandHandler => {
      const snapshots = createSnapshots({ store: options.file ?? openSqliteSnapshotStore(snapshotFile), interval: INTERVAL, logger })
      processes.push(snapshots)
      open.push(snapshots)
      return createCommandHandler({ store: options.store ?? counted, clock: () => new Date(), snapshots })
    }
    /** Stops every process, which writes the snapshots they took. */
    const stopAll = (): void => {
      for (const snapshots of processes.splice(0)) snapshots.close()
    }
    const allocateIds = async (handler: CommandHandler, count: number): Promise<void> => {
      for (let i = 0; i < count; i += 1) expect(E.isRight(await handler.handle(SequenceAggregate, { type: 'AllocateId', sequence: 'things' }, {}, meta))).toBe(true)
    }
    /** Loads the stream in a fresh process, once the others stopped: the state, and the events read. */
    const coldLoad = async (type: typeof SequenceAggregate = SequenceAggregate) => {
      stopAll()
      reads.reset()
      const { state } = await start().load(type, STREAM)
      return { state, read: reads.read() }
    }
    const snapshotRow = (): unknown => {
      stopAll()
      const db = new Database(snapshotFile, { readonly: true })
      try {
        return db.prepare('SELECT type, version, revision FROM snapshots WHERE stream = ?').get(STREAM)
      } finally {
        db.close()
      }
    }
    /** Without snapshots: what the stream folds to from its first event. */
    const withoutSnapshots = (store: EventStore = log): CommandHandler => createCommandHandler({ store, clock: () => new Date() })
    return { log, snapshotFile, start, stopAll, allocateIds, coldLoad, snapshotRow, withoutSnapshots }
  }

  it('a cold load of a long stream reads its last snapshot and the events after it, and gives the fold', async () => {
    const { start, allocateIds, coldLoad, snapshotRow, withoutSnapshots } = setUp()
    await allocateIds(start(), 95)
    expect(snapshotRow()).toEqual({ type: 'sequence', version: 1, revision: 89 })
    // The snapshot's own event (checked, not folded) and the 5 after it.
    expect(await coldLoad()).toEqual({ state: 95, read: 6 })
    expect((await withoutSnapshots().load(SequenceAggregate, STREAM)).state).toBe(95)
  })

  it('a load that read the interval or more takes a snapshot too', async () => {
    const { allocateIds, coldLoad, withoutSnapshots } = setUp()
    await allocateIds(withoutSnapshots(), 25)
    expect(await coldLoad()).toEqual({ state: 25, read: 25 })
    expect(await coldLoad()).toEqual({ state: 25, read: 1 })
  })

  it('a snapshot of another state version is not loaded: the stream is folded from the start, and snapshotted at the new version', async () => {
    const { start, allocateIds, coldLoad, snapshotRow } = setUp()
    await allocateIds(start(), 25)
    expect(snapshotRow()).toEqual({ type: 'sequence', version: 1, revision: 19 })

    // Version 1's snapshot holds 20, the last id; version 2 folds the stream into the sum of the ids.
    expect(await coldLoad(SummingSequence)).toEqual({ state: sumTo(25), read: 25 })
    expect(snapshotRow()).toEqual({ type: 'sequence', version: 2, revision: 24 })
    expect(await coldLoad(SummingSequence)).toEqual({ state: sumTo(25), read: 1 })
    // And back: version 1 does not load version 2's snapshot either.
    expect(await coldLoad()).toEqual({ state: 25, read: 25 })
  })

  it('a deleted snapshot file only costs a full fold, and is filled again', async () => {
    const { start, stopAll, allocateIds, coldLoad, snapshotFile } = setUp()
    await allocateIds(start(), 25)
    stopAll()
    for (const file of [snapshotFile, `${snapshotFile}-wal`, `${snapshotFile}-shm`]) rmSync(file, { force: true })
    expect(await coldLoad()).toEqual({ state: 25, read: 25 })
    expect(await coldLoad()).toEqual({ state: 25, read: 1 })
  })

  it('a snapshot file that is not a database is started afresh: a full fold, and filled again', async () => {
    const { start, stopAll, allocateIds, coldLoad, snapshotFile } = setUp()
    await allocateIds(start(), 25)
    stopAll()
    for (const file of [`${snapshotFile}-wal`, `${snapshotFile}-shm`]) rmSync(file, { force: true })
    writeFileSync(snapshotFile, 'not a database, though long enough to have a header of one'.repeat(20))
    const resets: unknown[] = []
    const handler = start({ file: openSqliteSnapshotStore(snapshotFile, (error) => resets.push(error)) })
    expect(resets).toHaveLength(1)
    expect((await handler.load(SequenceAggregate, STREAM)).state).toBe(25)
    expect(await coldLoad()).toEqual({ state: 25, read: 1 })
  })

  it('a snapshot whose state does not read back is not used, and is replaced', async () => {
    const { start, stopAll, allocateIds, coldLoad, snapshotFile } = setUp()
    await allocateIds(start(), 25)
    stopAll()
    const db = new Database(snapshotFile)
    db.prepare("UPDATE snapshots SET state = '{\"last\":' WHERE stream = ?").run(STREAM)
    db.close()
    expect(await coldLoad()).toEqual({ state: 25, read: 25 })
    expect(warnings()).toEqual(["the stream's snapshot does not read back; folding the stream from the start"])
    expect(await coldLoad()).toEqual({ state: 25, read: 1 })
  })

  it('a snapshot of another log, or of this one before it was restored from an older backup, is not used', async () => {
    const { start, stopAll, allocateIds, withoutSnapshots } = setUp()
    await allocateIds(start(), 25)
    stopAll()
    // Same stream names, other events: a longer stream, and a shorter one than the snapshot's revision.
    for (const [name, length] of [['other.sqlite', 30], ['older.sqlite', 15]] as const) {
      const other = logAt(name)
      await allocateIds(withoutSnapshots(other), length)
      logs.length = 0
      expect((await start({ store: other }).load(SequenceAggregate, STREAM)).state).toBe(length)
      expect(warnings()).toEqual(['the log does not hold the event the snapshot was taken after; folding the stream from the start'])
      stopAll()
    }
  })

  it('a snapshot that cannot be written or read fails no command and no load', async () => {
    const { start, allocateIds } = setUp()
    const broken: SnapshotStore = {
      read: () => {
        throw new Error('disk I/O error')
      },
      write: () => {
        throw new Error('database or disk is full')
      },
      close: () => {},
    }
    const handler = start({ file: broken })
    await allocateIds(handler, 25)
    await new Promise((resolve) => setImmediate(resolve))
    expect(warnings()).toEqual([
      "could not read the stream's snapshot; folding the stream from the start",
      'could not write snapshots; cold loads of these streams read more until the next',
      'could not write snapshots; cold loads of these streams read more until the next',
    ])
    logs.length = 0
    expect((await start({ file: broken }).load(SequenceAggregate, STREAM)).state).toBe(25)
    expect(warnings()).toEqual(["could not read the stream's snapshot; folding the stream from the start"])
  })
})
