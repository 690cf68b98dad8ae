// Embedded event store on SQLite (better-sqlite3): the default for `npm start`
// and the tests. Durable (WAL with synchronous=FULL: an acknowledged append
// survives a power loss) and fast through group commit: appends are committed
// by a writer thread (sqlite-writer.ts), a group at a time, and every append
// that arrives while a group is being committed joins the next one, so one
// fsync covers them all and the main thread never waits for the disk; a writer
// thread that dies is replaced, and sent again the group it held. Reads
// use the main thread's own connection; the events this process just appended
// are handed to subscribers (and readAll) as they were appended, without
// reading them back, while they follow each other in the log (recent below). A stream given a retention keeps only what it
// allows: reads leave the rest out at once, and it is deleted in small batches
// (never the stream's last event, which holds its revision).
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import type {
  EventStore,
  ExpectedVersion,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamRetention,
  Subscription,
} from './port.js'
import { checkRetention, StoreUnavailable } from './port.js'
import { configureLog, createAppender, SCHEMA, type AppendFailure, type AppendOutcome, type AppendRequest, type Settled } from './sqlite-append.js'
import type { WriteGroup, WriteReply, WriterData } from './sqlite-writer.js'
import { attachSqliteChain, type EventRow } from './sqlite-chain.js'

export interface SqliteEventStoreOptions {
  /** A file path, or ':memory:'. */
  readonly path: string
  /** The clock that stamps `recordedAt`; injectable so tests can control time. */
  readonly clock?: () => Date
  /** How often a live subscription looks for events appended by another process. */
  readonly pollIntervalMs?: number
  /** Group commit (default on). Off: one transaction, and one fsync, per append; kept as the benchmark baseline. */
  readonly groupCommit?: boolean
  /** Commits in a writer thread (default: on for a file with group commit); off, on the main thread, at the end of the turn of the event loop. */
  readonly writerThread?: boolean
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
  /** Hears of each writer thread as it starts (tests: one that kills it). */
  readonly onWriterThread?: (worker: Worker) => void
}

/** The events last appended here kept for subscribers: a few groups' worth, enough for those that follow the log live. */
const RECENT_EVENTS = 2_000

/** Rows deleted per transaction: short enough that appends (ours or another process's) never wait long for the lock. */
const TRIM_BATCH = 1_000

interface RetentionRow {
  readonly max_age_seconds: number | null
  readonly max_count: number | null
}

type Row = EventRow

export const toRecorded = (row: Row): RecordedEvent => ({
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
const unavailableOr = (error: unknown): unknown => {
  const code = (error as { code?: unknown } | null)?.code
  return error instanceof Error && typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)
    ? new StoreUnavailable(`SQLite: ${error.message}`, { cause: error })
    : error
}

/** The error an append failed with, rebuilt from what crossed the thread. */
const errorOf = ({ message, code }: AppendFailure): unknown => unavailableOr(Object.assign(new Error(message), code === null ? {} : { code }))

const WRITER = new URL(import.meta.url.endsWith('.ts') ? './sqlite-writer.ts' : './sqlite-writer.js', import.meta.url)

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

  const busyTimeoutMs = options.busyTimeoutMs ?? 10_000
  const db = new Database(options.path)
  configureLog(db, busyTimeoutMs)
  db.exec(SCHEMA)
  // The chain's tables, and links for whatever an older engine appended unchained; each appender keeps it from then on.
  const chained = options.chain !== false
  if (chained) attachSqliteChain(db)

  const lastRevision = db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream = ?').safeIntegers(true)
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

  const currentRevision = (streamName: string): number | null => {
    const row = lastRevision.get(streamName) as { revision: bigint | null }
    return row.revision === null ? null : Number(row.revision)
  }

  // Live subscribers wait here; every commit wakes them.
  const waiters = new Set<() => void>()
  const wakeSubscribers = (): void => {
    for (const wake of [...waiters]) wake()
  }

  // The events this process appended last, in log order and with no other event between them (a group is
  // committed under the write lock, so its appends take positions one after another; another process's events
  // between two groups start the run afresh). A read of the log from inside the run is answered from it.
  let recent: RecordedEvent[] = []
  const keepRecent = (pending: PendingAppend, outcome: AppendOutcome, recordedAt: Date): void => {
    if (outcome._tag === 'Left') return
    const { nextRevision, position } = outcome.right
    const count = pending.events.length
    const first = position - BigInt(count - 1)
    const last = recent[recent.length - 1]
    if (last !== undefined && last.position !== first - 1n) recent = []
    pending.events.forEach((event, i) => {
      recent.push({ id: event.id, type: event.type, data: event.data, metadata: event.metadata, streamName: pending.streamName, revision: nextRevision - (count - 1 - i), position: first + BigInt(i), recordedAt })
    })
    if (recent.length > RECENT_EVENTS * 2) recent = recent.slice(-RECENT_EVENTS)
  }
  /** The events after `after`, up to `maxCount`, when the recent run holds all of them up to its end; null when it does not. */
  const recentAfter = (after: Position, maxCount: number): RecordedEvent[] | null => {
    const first = recent[0]
    if (first === undefined || after < first.position - 1n || after >= recent[recent.length - 1]!.position) return null
    const from = Number(after - first.position) + 1
    return recent.slice(from, from + maxCount)
  }

  let queue: PendingAppend[] = []
  let flushScheduled = false
  let closed = false

  const settle = (batch: readonly PendingAppend[], settled: readonly Settled[], recordedAt: string): void => {
    options.onCommit?.(batch.length)
    const at = new Date(recordedAt)
    batch.forEach((pending, i) => {
      const result = settled[i]!
      if (result.ok && result.appended) keepRecent(pending, result.outcome, at)
    })
    batch.forEach((pending, i) => {
      const result = settled[i]!
      if (result.ok) pending.resolve(result.outcome)
      else pending.reject(errorOf(result.failure))
    })
    wakeSubscribers()
  }
  const requests = (batch: readonly PendingAppend[]): AppendRequest[] =>
    batch.map(({ streamName, events, expected }) => ({ streamName, events, expected }))

  /** Commits the queue: on this thread, or by the writer thread, one group at a time. */
  const writer = ((): { readonly flush: () => void; readonly drain: () => Promise<void> } => {
    const inline = options.path === ':memory:' || !groupCommit || options.writerThread === false
    if (inline) {
      const appendBatch = createAppender(db, { chained })
      return {
        flush: () => {
          flushScheduled = false
          const batch = queue
          queue = []
          if (batch.length === 0) return
          let settled: Settled[]
          const recordedAt = clock().toISOString()
          try {
            // IMMEDIATE takes the write lock up front, so a second process writing
            // the same file waits (busy_timeout) instead of failing to upgrade.
            settled = appendBatch.immediate(requests(batch), recordedAt)
          } catch (error) {
            for (const pending of batch) pending.reject(unavailableOr(error))
            return
          }
          settle(batch, settled, recordedAt)
        },
        drain: async () => undefined,
      }
    }
    let committing: PendingAppend[] | null = null
    let committingAt = ''
    let closing = false
    // The group a thread died with, sent again to the next one; a group that a second thread dies with too fails.
    let resent: PendingAppend[] | null = null
    const idle = new Set<() => void>()
    /**
     * A thread that stopped (killed, out of memory, a native crash) is
     * replaced: appends are idempotent by their events' ids, so the group it
     * was committing (committed or not) is sent to the next one, and answered
     * as the first commit recorded it. A group two threads died with fails.
     */
    const died = (worker: Worker, error: unknown): void => {
      if (thread?.worker !== worker) return
      thread = null
      if (closing) return
      const lost = committing
      committing = null
      if (lost !== null && lost === resent) {
        resent = null
        for (const pending of lost) pending.reject(error)
      } else if (lost !== null) {
        resent = lost
        queue = [...lost, ...queue]
      }
      if (queue.length > 0) schedule()
      else for (const done of idle) done()
    }
    // Started with the store, so that it boots while the process sets up the rest, not at the first append.
    let thread: { readonly worker: Worker; readonly exited: Promise<void> } | null = null
    const started = (): { readonly worker: Worker; readonly exited: Promise<void> } => {
      if (thread !== null) return thread
      const workerData: WriterData = { path: options.path, busyTimeoutMs, chained }
      const worker = WRITER.pathname.endsWith('.ts')
        ? // Run from the TypeScript sources (tsx, vitest), the thread first registers tsx to load them.
          new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WRITER.href)}) })`, {
            eval: true,
            workerData,
          })
        : new Worker(WRITER, { workerData })
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
      let failure: unknown = null
      worker.on('error', (error) => {
        failure = error
      })
      worker.on('exit', () => died(worker, failure ?? new Error('the event log’s writer thread stopped')))
      worker.on('message', (reply: WriteReply) => {
        const batch = committing ?? []
        committing = null
        if (batch === resent) resent = null
        if (reply.ok) settle(batch, reply.settled, committingAt)
        else for (const pending of batch) pending.reject(errorOf(reply.failure))
        // What arrived during that commit is the next group, with whatever the answers just given append at once.
        if (queue.length > 0) schedule()
        else {
          worker.unref()
          for (const done of idle) done()
        }
      })
      worker.unref()
      thread = { worker, exited }
      options.onWriterThread?.(worker)
      return thread
    }
    started()
    const flush = (): void => {
      flushScheduled = false
      if (committing !== null || queue.length === 0) return
      // The group sent again after a thread died goes alone: should it kill the next thread too, it fails alone.
      committing = resent !== null && queue[0] === resent[0] ? resent : queue
      queue = committing === queue ? [] : queue.slice(committing.length)
      committingAt = clock().toISOString()
      const { worker } = started()
      worker.ref()
      worker.postMessage({ batch: requests(committing), recordedAt: committingAt } satisfies WriteGroup)
    }
    return {
      flush,
      drain: async () => {
        while (committing !== null || queue.length > 0) {
          if (committing === null) flush()
          await new Promise<void>((resolve) => {
            const done = (): void => {
              idle.delete(done)
              resolve()
            }
            idle.add(done)
          })
        }
        closing = true
        if (thread === null) return
        // Held until it has closed the file: with nothing else left to do, the process must not exit before it.
        thread.worker.ref()
        thread.worker.postMessage('close')
        await thread.exited
      },
    }
  })()

  const schedule = (): void => {
    if (!flushScheduled) {
      flushScheduled = true
      setImmediate(writer.flush)
    }
  }

  const appendToStream: EventStore['appendToStream'] = (streamName, events, expected) => {
    if (closed) return Promise.reject(new Error('event store is closed'))
    return new Promise<AppendOutcome>((resolve, reject) => {
      queue.push({ streamName, events, expected, resolve, reject })
      if (!groupCommit) return writer.flush()
      schedule()
    })
  }

  /** What a retention keeps of a stream whose last revision is `last`: from this revision on, recorded at or after this instant. */
  const keptOf = (retention: RetentionRow, last: number): { readonly fromRevision: number; readonly since: string } => ({
    fromRevision: retention.max_count === null ? 0 : last - retention.max_count + 1,
    since: retention.max_age_seconds === null ? '' : new Date(clock().getTime() - retention.max_age_seconds * 1000).toISOString(),
  })

  const readStream = async (streamName: string, opts: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> => {
    const limit = opts.maxCount ?? -1
    const rows = (
      opts.direction === 'backwards'
        ? streamBackwards.all(streamName, opts.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : streamForwards.all(streamName, opts.fromRevision ?? 0, limit)
    ) as Row[]
    // A retention only ever leaves events out: nothing read (the usual tail of a cached stream) needs it looked up.
    if (rows.length === 0) return []
    const retention = retentionOf.get(streamName) as RetentionRow | undefined
    // The last revision matters only to a retention by count (a seat stream's, by age, reads no more than it has to).
    const last = retention === undefined ? null : retention.max_count === null ? 0 : currentRevision(streamName)
    if (retention === undefined || last === null) return rows.map(toRecorded)
    // Only what the retention keeps, whether or not the rest is deleted yet.
    const kept = keptOf(retention, last)
    const keptRows =
      opts.direction === 'backwards'
        ? keptBackwards.all(streamName, opts.fromRevision ?? Number.MAX_SAFE_INTEGER, kept.fromRevision, kept.since, limit)
        : keptForwards.all(streamName, Math.max(opts.fromRevision ?? 0, kept.fromRevision), kept.since, limit)
    return (keptRows as Row[]).map(toRecorded)
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
    const kept = opts.direction === 'backwards' ? null : recentAfter(opts.from ?? 0n, opts.maxCount)
    if (kept !== null) return kept
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
      closed = true
      writer.flush()
      await writer.drain()
      if (sweepTimer !== null) clearInterval(sweepTimer)
      await sweeping
      wakeSubscribers()
      db.close()
    },
  }
}
