// Embedded event store on SQLite (better-sqlite3): the default for `npm start`
// and the tests. Durable (WAL with synchronous=FULL: an acknowledged append
// survives a power loss) and fast through group commit: every append that
// arrives in the same turn of the event loop is committed in one transaction,
// so one fsync covers them all.
import Database from 'better-sqlite3'
import * as E from 'fp-ts/Either'
import type {
  AppendResult,
  EventStore,
  ExpectedVersion,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  Subscription,
  WrongExpectedVersion,
} from './port.js'
import { StoreUnavailable } from './port.js'

export interface SqliteEventStoreOptions {
  /** A file path, or ':memory:'. */
  readonly path: string
  /** The clock that stamps `recordedAt`; injectable so tests can control time. */
  readonly clock?: () => Date
  /** How often a live subscription looks for events appended by another process. */
  readonly pollIntervalMs?: number
  /** Group commit (default on). Off: one transaction, and one fsync, per append; kept as the benchmark baseline. */
  readonly groupCommit?: boolean
  /** Called after each commit with the number of appends it held (metrics, tests). */
  readonly onCommit?: (appends: number) => void
  /** How long an append waits for another process's write lock before it fails as StoreUnavailable (default 10 s). */
  readonly busyTimeoutMs?: number
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL,
    stream      TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS events_by_stream ON events (stream, revision);
  CREATE UNIQUE INDEX IF NOT EXISTS events_by_id ON events (id);
`

interface Row {
  readonly position: bigint
  readonly id: string
  readonly stream: string
  readonly revision: bigint
  readonly type: string
  readonly data: string
  readonly metadata: string
  readonly recorded_at: string
}

const toRecorded = (row: Row): RecordedEvent => ({
  id: row.id,
  type: row.type,
  data: JSON.parse(row.data),
  metadata: JSON.parse(row.metadata),
  streamName: row.stream,
  revision: Number(row.revision),
  position: row.position,
  recordedAt: new Date(row.recorded_at),
})

/** Another process held the file's write lock past busy_timeout: the append may be sent again. */
const unavailableOr = (error: unknown): unknown =>
  error instanceof Database.SqliteError && /^SQLITE_(BUSY|LOCKED)/.test(error.code)
    ? new StoreUnavailable(`SQLite: ${error.message}`, { cause: error })
    : error

const satisfies = (expected: ExpectedVersion, actual: number | null): boolean => {
  switch (expected.kind) {
    case 'any':
      return true
    case 'no_stream':
      return actual === null
    case 'stream_exists':
      return actual !== null
    case 'exact':
      return actual === expected.revision
  }
}

type AppendOutcome = E.Either<WrongExpectedVersion, AppendResult>

interface PendingAppend {
  readonly streamName: string
  readonly events: readonly NewEvent[]
  readonly expected: ExpectedVersion
  readonly resolve: (outcome: AppendOutcome) => void
  readonly reject: (error: unknown) => void
}

export const createSqliteEventStore = (options: SqliteEventStoreOptions): EventStore => {
  const clock = options.clock ?? (() => new Date())
  const pollIntervalMs = options.pollIntervalMs ?? 250
  const groupCommit = options.groupCommit ?? true

  const db = new Database(options.path)
  // First, so that processes opening one log at the same time wait for each other's set-up.
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec(SCHEMA)

  const lastRevision = db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream = ?').safeIntegers(true)
  const insert = db.prepare(
    'INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  const head = db.prepare('SELECT MAX(position) AS position FROM events').safeIntegers(true)
  const allForwards = db
    .prepare('SELECT * FROM events WHERE position > ? ORDER BY position ASC LIMIT ?')
    .safeIntegers(true)
  const allBackwards = db
    .prepare('SELECT * FROM events WHERE position < ? ORDER BY position DESC LIMIT ?')
    .safeIntegers(true)
  const streamForwards = db
    .prepare('SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?')
    .safeIntegers(true)
  const streamBackwards = db
    .prepare('SELECT * FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?')
    .safeIntegers(true)

  const eventAt = db.prepare('SELECT id, stream, revision, position FROM events WHERE stream = ? AND revision = ?').safeIntegers(true)
  const eventById = db.prepare('SELECT id, stream, revision, position FROM events WHERE id = ?').safeIntegers(true)

  const currentRevision = (streamName: string): number | null => {
    const row = lastRevision.get(streamName) as { revision: bigint | null }
    return row.revision === null ? null : Number(row.revision)
  }

  type Stored = Pick<Row, 'id' | 'stream' | 'revision' | 'position'>

  /**
   * EventStoreDB's idempotency check (IndexWriter.CheckCommit): when the events
   * are there already, the first append's result (or, when only some are, a
   * conflict); null when they are new. With an exact or no-stream expectation
   * they are looked for right after the expected revision; with any or
   * stream_exists, anywhere in the stream.
   */
  const alreadyAppended = (
    streamName: string,
    events: readonly NewEvent[],
    expected: ExpectedVersion,
    actual: number | null,
  ): AppendOutcome | null => {
    if (events.length === 0 || actual === null) return null
    const positional = expected.kind === 'exact' || expected.kind === 'no_stream'
    const after = expected.kind === 'exact' ? expected.revision : -1
    // At or past the stream's end, nothing of this append can be there yet.
    if (positional && after >= actual) return null
    const found: Stored[] = []
    for (const [i, event] of events.entries()) {
      const row = (positional ? eventAt.get(streamName, after + 1 + i) : eventById.get(event.id)) as Stored | undefined
      if (row !== undefined && row.id === event.id && row.stream === streamName) {
        found.push(row)
        continue
      }
      // The first event is new: an ordinary append (with any) or a stale expectation.
      if (i === 0 && !positional) return null
      return E.left({ _tag: 'WrongExpectedVersion', streamName, expected, actual })
    }
    const last = found[found.length - 1]!
    return E.right({ nextRevision: Number(last.revision), position: last.position })
  }

  // One append, run inside the caller's transaction. Nested in a savepoint so
  // that an append which fails half-way leaves nothing behind.
  const appendOne = db.transaction((streamName: string, events: readonly NewEvent[], expected: ExpectedVersion) => {
    const actual = currentRevision(streamName)
    const again = alreadyAppended(streamName, events, expected, actual)
    if (again !== null) return again
    if (!satisfies(expected, actual)) {
      return E.left<WrongExpectedVersion, AppendResult>({ _tag: 'WrongExpectedVersion', streamName, expected, actual })
    }
    const recordedAt = clock().toISOString()
    let revision = actual ?? -1
    let position: bigint = 0n
    for (const event of events) {
      revision += 1
      const info = insert.run(
        event.id,
        streamName,
        revision,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
        recordedAt,
      )
      position = BigInt(info.lastInsertRowid)
    }
    if (events.length === 0) {
      const row = head.get() as { position: bigint | null }
      position = row.position ?? 0n
    }
    return E.right<WrongExpectedVersion, AppendResult>({ nextRevision: revision, position })
  })

  type Settled = { readonly ok: true; readonly outcome: AppendOutcome } | { readonly ok: false; readonly error: unknown }

  const appendBatch = db.transaction((batch: readonly PendingAppend[]): Settled[] =>
    batch.map((pending) => {
      try {
        return { ok: true, outcome: appendOne(pending.streamName, pending.events, pending.expected) }
      } catch (error) {
        return { ok: false, error }
      }
    }),
  )

  // Live subscribers wait here; every commit wakes them.
  const waiters = new Set<() => void>()
  const wakeSubscribers = (): void => {
    for (const wake of [...waiters]) wake()
  }

  let queue: PendingAppend[] = []
  let flushScheduled = false

  const flush = (): void => {
    flushScheduled = false
    const batch = queue
    queue = []
    if (batch.length === 0) return
    let settled: Settled[]
    try {
      // IMMEDIATE takes the write lock up front, so a second process writing
      // the same file waits (busy_timeout) instead of failing to upgrade.
      settled = appendBatch.immediate(batch)
    } catch (error) {
      for (const pending of batch) pending.reject(unavailableOr(error))
      return
    }
    options.onCommit?.(batch.length)
    batch.forEach((pending, i) => {
      const result = settled[i]!
      if (result.ok) pending.resolve(result.outcome)
      else pending.reject(result.error)
    })
    wakeSubscribers()
  }

  let closed = false

  const appendToStream: EventStore['appendToStream'] = (streamName, events, expected) => {
    if (closed) return Promise.reject(new Error('event store is closed'))
    return new Promise<AppendOutcome>((resolve, reject) => {
      queue.push({ streamName, events, expected, resolve, reject })
      if (!groupCommit) return flush()
      if (!flushScheduled) {
        flushScheduled = true
        setImmediate(flush)
      }
    })
  }

  const readStream = async (streamName: string, opts: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> => {
    const limit = opts.maxCount ?? -1
    const rows =
      opts.direction === 'backwards'
        ? streamBackwards.all(streamName, opts.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : streamForwards.all(streamName, opts.fromRevision ?? 0, limit)
    return (rows as Row[]).map(toRecorded)
  }

  const readAllSync = (opts: ReadAllOptions): readonly RecordedEvent[] => {
    const rows =
      opts.direction === 'backwards'
        ? allBackwards.all(opts.from ?? 2n ** 63n - 1n, opts.maxCount)
        : allForwards.all(opts.from ?? 0n, opts.maxCount)
    return (rows as Row[]).map(toRecorded)
  }

  const subscribeToAll = (subscribeOptions: { readonly from?: Position } = {}): Subscription => {
    let stopped = false
    let wakeNow: (() => void) | null = null

    const nextChange = (): Promise<void> =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer)
          waiters.delete(done)
          wakeNow = null
          resolve()
        }
        const timer = setTimeout(done, pollIntervalMs)
        waiters.add(done)
        wakeNow = done
      })

    async function* events(): AsyncGenerator<RecordedEvent> {
      let after = subscribeOptions.from ?? 0n
      while (!stopped && !closed) {
        const batch = readAllSync({ from: after, maxCount: 500 })
        if (batch.length === 0) {
          await nextChange()
          continue
        }
        for (const event of batch) {
          if (stopped) return
          yield event
          after = event.position
        }
        // A turn of the event loop between chunks: catching up with a long log
        // must not starve timers and I/O (every `yield` above resumes as a microtask).
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
    }

    const iterator = events()
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        stopped = true
        wakeNow?.()
        await iterator.return(undefined)
      },
    }
  }

  return {
    appendToStream,
    readStream,
    readAll: async (opts) => readAllSync(opts),
    subscribeToAll,
    headPosition: async () => (head.get() as { position: bigint | null }).position,
    close: async () => {
      if (closed) return
      flush()
      closed = true
      wakeSubscribers()
      db.close()
    },
  }
}
