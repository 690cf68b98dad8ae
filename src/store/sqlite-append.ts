// Appending to the SQLite log: the transaction that takes a group of appends,
// each checked against its expected version (and EventStoreDB's idempotency
// rule), shared by the store's two writers (inline, and the writer thread of
// sqlite-writer.ts). Plain data in and out, so that it crosses a thread.
import type Database from 'better-sqlite3'
import * as E from 'fp-ts/Either'
import { attachSqliteChain } from './sqlite-chain.js'
import type { AppendResult, ExpectedVersion, NewEvent, WrongExpectedVersion } from './port.js'

export type AppendOutcome = E.Either<WrongExpectedVersion, AppendResult>

export interface AppendRequest {
  readonly streamName: string
  readonly events: readonly NewEvent[]
  readonly expected: ExpectedVersion
}

/** What an append that threw left: enough to rebuild the error on the other side of a thread. */
export interface AppendFailure {
  readonly message: string
  readonly code: string | null
}

/** An append's outcome; `appended`: its events are new, at the positions up to the outcome's (not found there already). */
export type Settled = { readonly ok: true; readonly outcome: AppendOutcome; readonly appended: boolean } | { readonly ok: false; readonly failure: AppendFailure }

export const failureOf = (error: unknown): AppendFailure => ({
  message: error instanceof Error ? error.message : String(error),
  code: typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : null,
})

export const SCHEMA = `
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

/** The log's pragmas: every commit synced (WAL, synchronous=FULL); waits `busyTimeoutMs` for another process's write lock. */
export const configureLog = (db: Database.Database, busyTimeoutMs: number): void => {
  // First, so that processes opening one log at the same time wait for each other's set-up.
  db.pragma(`busy_timeout = ${busyTimeoutMs}`)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
}

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

interface Stored {
  readonly id: string
  readonly stream: string
  readonly revision: bigint
  readonly position: bigint
}

/** A group of appends in one transaction (run it `.immediate`): each settles alone, a failed one leaving nothing behind. */
export const createAppender = (db: Database.Database, options: { readonly chained: boolean }) => {
  // Each event's link is written in the transaction that appends it: no append is ever committed unchained.
  const chain = options.chained ? attachSqliteChain(db, { catchUp: false }) : null
  const lastRevision = db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream = ?').safeIntegers(true)
  const insert = db.prepare(
    'INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  const head = db.prepare('SELECT MAX(position) AS position FROM events').safeIntegers(true)
  const eventAt = db.prepare('SELECT id, stream, revision, position FROM events WHERE stream = ? AND revision = ?').safeIntegers(true)
  const eventById = db.prepare('SELECT id, stream, revision, position FROM events WHERE id = ?').safeIntegers(true)

  const currentRevision = (streamName: string): number | null => {
    const row = lastRevision.get(streamName) as { revision: bigint | null }
    return row.revision === null ? null : Number(row.revision)
  }

  /**
   * EventStoreDB's idempotency check (IndexWriter.CheckCommit): when the events
   * are there already, the first append's result (or, when only some are, a
   * conflict); null when they are new. With an exact or no-stream expectation
   * they are looked for right after the expected revision; with any or
   * stream_exists, anywhere in the stream.
   */
  const alreadyAppended = (streamName: string, events: readonly NewEvent[], expected: ExpectedVersion, actual: number | null): AppendOutcome | null => {
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

  // One append, inside the group's transaction. Nested in a savepoint so
  // that an append which fails half-way leaves nothing behind.
  const appendOne = db.transaction(({ streamName, events, expected }: AppendRequest, recordedAt: string): Settled => {
    const actual = currentRevision(streamName)
    const again = alreadyAppended(streamName, events, expected, actual)
    if (again !== null) return { ok: true, outcome: again, appended: false }
    if (!satisfies(expected, actual)) {
      return { ok: true, outcome: E.left({ _tag: 'WrongExpectedVersion', streamName, expected, actual }), appended: false }
    }
    let revision = actual ?? -1
    let position: bigint = 0n
    for (const event of events) {
      revision += 1
      const info = insert.run(event.id, streamName, revision, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata), recordedAt)
      position = BigInt(info.lastInsertRowid)
      chain?.record(position, { id: event.id, stream: streamName, revision, type: event.type, data: event.data, metadata: event.metadata, recordedAt })
    }
    if (events.length === 0) {
      const row = head.get() as { position: bigint | null }
      position = row.position ?? 0n
    }
    return { ok: true, outcome: E.right<WrongExpectedVersion, AppendResult>({ nextRevision: revision, position }), appended: events.length > 0 }
  })

  return db.transaction((batch: readonly AppendRequest[], recordedAt: string): Settled[] =>
    batch.map((request) => {
      try {
        return appendOne(request, recordedAt)
      } catch (error) {
        return { ok: false, failure: failureOf(error) }
      }
    }),
  )
}
