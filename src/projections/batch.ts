// Applying the log to read models a batch at a time: the live runner and the
// replay tool both read it this way. Events are read in chunks (small enough
// to be garbage while young), decoded and applied by every projection, and
// committed with the checkpoint of the last one, a transaction holding one
// chunk or many: a read model and its checkpoint never disagree, and the cost
// of a commit, and of writing back each row a projection folds, is shared.
import type Database from 'better-sqlite3'
import { decodeAfresh, decodeRecorded, type Decoded } from '../application/event-codec.js'
import type { EventStore, Position, RecordedEvent } from '../store/port.js'
import type { Batch, Envelope, Projection } from './projection.js'

export interface BatchApplierOptions {
  readonly db: Database.Database
  /** The checkpoint's name. */
  readonly name: string
  readonly projections: readonly Projection[]
  /**
   * Each event through every projection, written, before the next one: for
   * projections that read each other's tables as they stood at the event
   * (the webhooks' world). Otherwise each projection folds a transaction's
   * events as they come and writes back what it held once, at the end. A
   * function decides for each chunk (the webhooks need it only while an
   * endpoint could be sent the chunk's events).
   */
  readonly eventByEvent?: boolean | ((chunk: readonly Envelope[]) => boolean)
}

export const readCheckpoint = (db: Database.Database, name: string): Position | null => {
  const row = db.prepare('SELECT position FROM checkpoints WHERE name = ?').get(name) as { position: string } | undefined
  return row === undefined ? null : BigInt(row.position)
}

/** Events applied or committed together: how many, and the positions of the first and the last. */
export interface Committed {
  readonly events: number
  readonly first: Position
  readonly position: Position
}

export interface ApplyChunksOptions {
  /** A transaction is committed once it holds this many events or more (a chunk is never split). */
  readonly transactionSize: number
  readonly committed: (commit: Committed) => void
  readonly applied?: (chunk: Committed) => void
  readonly stop?: () => boolean
  /**
   * The chunks' events are this reader's alone (read from the log for it, not
   * handed to every subscriber): decoded without remembering them (decodeAfresh).
   */
  readonly readAlone?: boolean
}

export const createBatchApplier = ({ db, name, projections, eventByEvent = false }: BatchApplierOptions) => {
  const starts = projections.map((projection) => projection.open(db))
  const indexes = projections.flatMap((projection) => projection.indexes ?? [])
  const createIndexes = (): void => {
    for (const index of indexes) db.exec(index)
  }
  // A read store that holds part of the log keeps its indexes as it goes; one built from the start gets them once it has caught up.
  if (readCheckpoint(db, name) !== null) createIndexes()
  const saveCheckpoint = db.prepare(
    'INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
  )

  /** One transaction: chunks are added to it, then it is committed (or rolled back, when anything throws). */
  const begin = (decode: (recorded: RecordedEvent) => Decoded) => {
    db.exec('BEGIN IMMEDIATE')
    // The projections' batches for the chunks applied together, written before a chunk applied event by event, and at the commit.
    let batches: Batch[] | null = null
    const flushBatches = (): void => {
      for (const batch of batches ?? []) batch.flush()
      batches = null
    }
    let events = 0
    let first: Position | null = null
    let last: Position | null = null
    return {
      events: () => events,
      /** Decodes and applies a chunk; stops at an event that does not decode and returns its error (the events before it stay applied). */
      add: (chunk: readonly RecordedEvent[]): Error | null => {
        const envelopes: Envelope[] = []
        let undecodable: Error | null = null
        for (const recorded of chunk) {
          try {
            const { event, metadata } = decode(recorded)
            envelopes.push({ event, metadata, recorded })
          } catch (error) {
            undecodable = error instanceof Error ? error : new Error(String(error))
            break
          }
        }
        if (typeof eventByEvent === 'function' ? eventByEvent(envelopes) : eventByEvent) {
          flushBatches()
          for (const envelope of envelopes) {
            for (const start of starts) {
              const batch = start()
              batch.apply([envelope])
              batch.flush()
            }
          }
        } else {
          batches ??= starts.map((start) => start())
          for (const batch of batches) batch.apply(envelopes)
        }
        if (envelopes.length > 0) {
          first ??= envelopes[0]!.recorded.position
          last = envelopes[envelopes.length - 1]!.recorded.position
          events += envelopes.length
        }
        return undecodable
      },
      commit: (): Committed | null => {
        flushBatches()
        if (last !== null) saveCheckpoint.run(name, last.toString())
        db.exec('COMMIT')
        return first === null || last === null ? null : { events, first, position: last }
      },
    }
  }

  /**
   * Applies the chunks, up to `transactionSize` events to a transaction (a
   * chunk is never split), until the chunks end or `stop` says so; `applied`
   * hears of each chunk as it is applied, `committed` of each commit. An
   * event that does not decode is thrown, once the events before it are
   * committed; anything else that throws rolls the open transaction back.
   */
  const applyChunks = async (chunks: AsyncIterable<readonly RecordedEvent[]>, options: ApplyChunksOptions): Promise<void> => {
    const { transactionSize, committed, applied, stop } = options
    const decode = options.readAlone === true ? decodeAfresh : decodeRecorded
    let transaction: ReturnType<typeof begin> | null = null
    const commit = (): void => {
      const done = transaction!.commit()
      transaction = null
      if (done !== null) committed(done)
    }
    try {
      for await (const chunk of chunks) {
        if (stop?.() === true) break
        transaction ??= begin(decode)
        const before = transaction.events()
        const undecodable = transaction.add(chunk)
        if (transaction.events() > before) applied?.({ events: transaction.events() - before, first: chunk[0]!.position, position: chunk[transaction.events() - before - 1]!.position })
        if (undecodable !== null) {
          commit()
          throw undecodable
        }
        if (transaction.events() >= transactionSize) commit()
      }
      if (transaction !== null) commit()
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK')
    }
  }

  return { applyChunks, createIndexes }
}

/** A turn of the event loop: timers, I/O and other requests run before the next chunk. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * The log after `after` in chunks of up to `size` read with `readAll`, up to
 * and including `upTo` (null: up to the end of the log as reading finds it).
 * Ends with the first read that finds nothing more. Each chunk is read when
 * the previous one has been taken, after a turn of the event loop.
 */
export async function* logChunks(store: Pick<EventStore, 'readAll'>, after: Position | null, upTo: Position | null, size: number): AsyncGenerator<readonly RecordedEvent[]> {
  let from = after
  while (upTo === null || from === null || from < upTo) {
    const read = await store.readAll({ ...(from === null ? {} : { from }), maxCount: size })
    const chunk = upTo === null ? read : read.filter((recorded) => recorded.position <= upTo)
    if (chunk.length === 0) return
    yield chunk
    from = chunk[chunk.length - 1]!.position
    await nextTurn()
  }
}

const NOT_YET = Symbol('not yet')

/** The end of the turn of the event loop this is called in. */
export const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * A subscription's events in chunks of what has arrived, up to `size`: a
 * chunk is closed when `closes()`, called as its first event arrives,
 * resolves. By default at the end of that turn of the event loop, so a single
 * live event is handed over at once, and many that arrive together go together.
 */
export async function* arrived(events: AsyncIterable<RecordedEvent>, size: number, closes: () => Promise<void> = endOfTurn): AsyncGenerator<readonly RecordedEvent[]> {
  const iterator = events[Symbol.asyncIterator]()
  let pending: Promise<IteratorResult<RecordedEvent>> | null = null
  for (;;) {
    const first = await (pending ?? iterator.next())
    pending = null
    if (first.done === true) return
    const chunk = [first.value]
    const closed = closes().then((): typeof NOT_YET => NOT_YET)
    while (chunk.length < size) {
      const next = iterator.next()
      const ready = await Promise.race([next, closed])
      if (ready === NOT_YET) {
        pending = next
        break
      }
      if (ready.done === true) {
        yield chunk
        return
      }
      chunk.push(ready.value)
    }
    yield chunk
  }
}
