// Embedded event store on SQLite (better-sqlite3): the default for `npm start`
// and the tests. Durable (WAL with synchronous=FULL: an acknowledged append
// survives a power loss) and fast through group commit: every append that
// arrives in the same turn of the event loop is committed in one transaction,
// so one fsync covers them all. A stream given a retention keeps only what it
// allows: reads leave the rest out at once, and it is deleted in small batches
// (never the stream's last event, which holds its revision).
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
  StreamRetention,
  Subscription,
  WrongExpectedVersion,
} from './port.js'
import { checkRetention, StoreUnavailable } from './port.js'
import { attachSqliteChain } from './sqlite-chain.js'

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
  /** How often the events streams no longer keep are deleted (default 60 s); 0: only when a retention is set. */
  readonly retentionSweepIntervalMs?: number
  /** A periodic deletion failed (it is tried again at the next one). */
  readonly onRetentionFailure?: (error: unknown) => void
  /** Keep the log's hash chain at append (default on; sqlite-chain.ts). Off: the benchmark baseline. */
  readonly chain?: boolean
}

/** Rows deleted per transaction: short enough that appends (ours or another process's) never wait long for the lock. */
const TRIM_BATCH = 1_000

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
  CREATE TABLE IF NOT EXISTS stream_retention (
    stream          TEXT PRIMARY KEY,
    max_age_seconds INTEGER,
    max_count       INTEGER
  ) WITHOUT ROWID;
`

interface RetentionRow {
  readonly max_age_seconds: number | null
  readonly max_count: number | null
}

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
  const chain = options.chain === false ? null : attachSqliteChain(db)

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

  const retentionOf = db.prepare('SELECT max_age_seconds, max_count FROM stream_retention WHERE stream = ?')
  const putRetention = db.prepare(
    `INSERT INTO stream_retention (stream, max_age_seconds, max_count) VALUES (?, ?, ?)
     ON CONFLICT (stream) DO UPDATE SET max_age_seconds = excluded.max_age_seconds, max_count = excluded.max_count`,
  )
  const dropRetention = db.prepare('DELETE FROM stream_retention WHERE stream = ?')
  const retainedAfter = db.prepare('SELECT stream FROM stream_retention WHERE stream > ? ORDER BY stream LIMIT 100')
  const keptForwards = db
    .prepare('SELECT * FROM events WHERE stream = ? AND revision >= ? AND recorded_at >= ? ORDER BY revision ASC LIMIT ?')
    .safeIntegers(true)
  const keptBackwards = db
    .prepare('SELECT * FROM events WHERE stream = ? AND revision <= ? AND revision >= ? AND recorded_at >= ? ORDER BY revision DESC LIMIT ?')
    .safeIntegers(true)
  const firstYoung = db.prepare('SELECT revision FROM events WHERE stream = ? AND recorded_at >= ? ORDER BY revision ASC LIMIT 1').safeIntegers(true)
  const deleteBefore = db.prepare(
    'DELETE FROM events WHERE position IN (SELECT position FROM events WHERE stream = ? AND revision < ? ORDER BY revision ASC LIMIT ?)',
  )

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
      chain?.record(position, { id: event.id, stream: streamName, revision, type: event.type, data: event.data, metadata: event.metadata, recordedAt })
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

  /** What a retention keeps of a stream whose last revision is `last`: from this revision on, recorded at or after this instant. */
  const keptOf = (retention: RetentionRow, last: number): { readonly fromRevision: number; readonly since: string } => ({
    fromRevision: retention.max_count === null ? 0 : last - retention.max_count + 1,
    since: retention.max_age_seconds === null ? '' : new Date(clock().getTime() - retention.max_age_seconds * 1000).toISOString(),
  })

  const readStream = async (streamName: string, opts: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> => {
    const limit = opts.maxCount ?? -1
    const retention = retentionOf.get(streamName) as RetentionRow | undefined
    // The last revision matters only to a retention by count (a seat stream's, by age, reads no more than it has to).
    const last = retention === undefined ? null : retention.max_count === null ? 0 : currentRevision(streamName)
    if (retention === undefined || last === null) {
      const rows =
        opts.direction === 'backwards'
          ? streamBackwards.all(streamName, opts.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
          : streamForwards.all(streamName, opts.fromRevision ?? 0, limit)
      return (rows as Row[]).map(toRecorded)
    }
    // Only what the retention keeps, whether or not the rest is deleted yet.
    const kept = keptOf(retention, last)
    const rows =
      opts.direction === 'backwards'
        ? keptBackwards.all(streamName, opts.fromRevision ?? Number.MAX_SAFE_INTEGER, kept.fromRevision, kept.since, limit)
        : keptForwards.all(streamName, Math.max(opts.fromRevision ?? 0, kept.fromRevision), kept.since, limit)
    return (rows as Row[]).map(toRecorded)
  }

  /**
   * Deletes up to TRIM_BATCH of the stream's events its retention no longer
   * keeps, oldest first; how many. Never the stream's last event: its revision
   * is the stream's, which the next append expects (reads leave it out all the same).
   */
  const trimBatch = db.transaction((streamName: string): number => {
    const retention = retentionOf.get(streamName) as RetentionRow | undefined
    const last = currentRevision(streamName)
    if (retention === undefined || last === null) return 0
    const kept = keptOf(retention, last)
    const young = kept.since === '' ? undefined : (firstYoung.get(streamName, kept.since) as { revision: bigint } | undefined)
    const byAge = kept.since === '' ? 0 : young === undefined ? last : Number(young.revision)
    const keepFrom = Math.min(last, Math.max(kept.fromRevision, byAge))
    return deleteBefore.run(streamName, keepFrom, TRIM_BATCH).changes
  })

  /** Deletes what the stream's retention no longer keeps, a batch per transaction, other work running between batches. */
  const trimStream = async (streamName: string): Promise<void> => {
    while (!closed) {
      let deleted: number
      try {
        deleted = trimBatch.immediate(streamName)
      } catch (error) {
        throw unavailableOr(error)
      }
      if (deleted < TRIM_BATCH) return
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }

  const setStreamRetention = async (streamName: string, retention: StreamRetention): Promise<void> => {
    if (closed) throw new Error('event store is closed')
    const { maxAgeSeconds, maxCount } = checkRetention(retention)
    try {
      if (maxAgeSeconds === undefined && maxCount === undefined) dropRetention.run(streamName)
      else putRetention.run(streamName, maxAgeSeconds ?? null, maxCount ?? null)
    } catch (error) {
      throw unavailableOr(error)
    }
    await trimStream(streamName)
  }

  /** One pass over every stream with a retention (their events age while nobody appends to them). */
  const sweepRetention = async (): Promise<void> => {
    let after = ''
    while (!closed) {
      const streams = (retainedAfter.all(after) as { stream: string }[]).map((row) => row.stream)
      for (const streamName of streams) await trimStream(streamName)
      if (streams.length < 100) return
      after = streams[streams.length - 1]!
    }
  }

  let sweeping: Promise<void> | null = null
  const retentionSweepIntervalMs = options.retentionSweepIntervalMs ?? 60_000
  const sweepTimer =
    retentionSweepIntervalMs > 0
      ? setInterval(() => {
          sweeping ??= sweepRetention()
            .catch((error: unknown) => options.onRetentionFailure?.(error))
            .finally(() => {
              sweeping = null
            })
        }, retentionSweepIntervalMs)
      : null
  sweepTimer?.unref()

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
    setStreamRetention,
    headPosition: async () => (head.get() as { position: bigint | null }).position,
    close: async () => {
      if (closed) return
      flush()
      closed = true
      if (sweepTimer !== null) clearInterval(sweepTimer)
      await sweeping
      wakeSubscribers()
      db.close()
    },
  }
}
