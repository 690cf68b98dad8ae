// The hash chain of the embedded log, kept at append: inside the append's own
// transaction each new event gets its row in `event_chain` (its digest and
// its link, links.ts), so the chain is never behind the log and no append is
// ever committed without its link. Retention deletes events, never their
// chain rows: a trimmed event's digest stays, and the chain still verifies
// across it (see README, History). Signed checkpoints live beside, in
// `chain_checkpoints` (written by src/application/log-checkpoints.ts).
import type Database from 'better-sqlite3'
import { eventDigest, GENESIS_LINK, nextLink, type ChainedEvent } from '../chain/links.js'

export const CHAIN_SCHEMA = `
  CREATE TABLE IF NOT EXISTS event_chain (
    position INTEGER PRIMARY KEY,
    stream   TEXT    NOT NULL,
    revision INTEGER NOT NULL,
    digest   TEXT    NOT NULL,
    link     TEXT    NOT NULL
  );
  CREATE TABLE IF NOT EXISTS chain_checkpoints (
    position  INTEGER PRIMARY KEY,
    link      TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    jws       TEXT NOT NULL
  );
`

const CATCH_UP_CHUNK = 1_000

export interface SqliteChain {
  /** Chains the event just inserted at `position`; call inside the append's transaction. */
  readonly record: (position: bigint, event: ChainedEvent) => void
}

/** An event's row in the log, as SQLite gives it back. */
export interface EventRow {
  readonly position: bigint
  readonly id: string
  readonly stream: string
  readonly revision: bigint
  readonly type: string
  readonly data: string
  readonly metadata: string
  readonly recorded_at: string
}

export const chainedOf = (row: EventRow): ChainedEvent => ({
  id: row.id,
  stream: row.stream,
  revision: Number(row.revision),
  type: row.type,
  data: JSON.parse(row.data),
  metadata: JSON.parse(row.metadata),
  recordedAt: row.recorded_at,
})

/**
 * Adds the chain's tables to the log and, unless told not to, chains what is not chained yet (a log written
 * before the chain, or by an older engine), under the write lock, taken only when something is unchained. An appender opened after the store skips that: the store did it,
 * and a write lock another process holds must not stop the appender from starting (each append catches up itself).
 */
export const attachSqliteChain = (db: Database.Database, options: { readonly catchUp: boolean } = { catchUp: true }): SqliteChain => {
  db.exec(CHAIN_SCHEMA)
  const linkAt = db.prepare('SELECT link FROM event_chain WHERE position = ?')
  const lastLinked = db.prepare('SELECT position, link FROM event_chain ORDER BY position DESC LIMIT 1').safeIntegers(true)
  const unchained = db.prepare(`SELECT * FROM events WHERE position > ? AND position < ? ORDER BY position LIMIT ${CATCH_UP_CHUNK}`).safeIntegers(true)
  const head = db.prepare('SELECT MAX(position) AS position FROM events').safeIntegers(true)
  const insertLink = db.prepare('INSERT INTO event_chain (position, stream, revision, digest, link) VALUES (?, ?, ?, ?, ?)')

  const put = (position: bigint, event: ChainedEvent, previous: string): string => {
    const digest = eventDigest(event)
    const link = nextLink(previous, digest)
    insertLink.run(position, event.stream, event.revision, digest, link)
    return link
  }

  /** Chains every unchained event before `before`; the last link. */
  const catchUp = (before: bigint): string => {
    const last = lastLinked.get() as { position: bigint; link: string } | undefined
    let link = last?.link ?? GENESIS_LINK
    let after = last?.position ?? 0n
    // In chunks read whole: the connection cannot write while a statement is still iterating.
    for (;;) {
      const rows = unchained.all(after, before) as EventRow[]
      for (const row of rows) link = put(row.position, chainedOf(row), link)
      if (rows.length < CATCH_UP_CHUNK) return link
      after = rows[rows.length - 1]!.position
    }
  }

  /** Whether the log holds events past the last one chained (read without any lock). */
  const behind = (): boolean => {
    const last = (lastLinked.get() as { position: bigint } | undefined)?.position ?? 0n
    return ((head.get() as { position: bigint | null }).position ?? 0n) > last
  }

  const record = (position: bigint, event: ChainedEvent): void => {
    // The usual case: the event before it is chained (an indexed read); else whatever is not chained yet is, first.
    const previous = (linkAt.get(position - 1n) as { link: string } | undefined)?.link ?? catchUp(position)
    put(position, event, previous)
  }

  // The write lock only when there is something to chain: an up-to-date log opens while another process writes.
  if (options.catchUp && behind()) db.transaction(() => catchUp(2n ** 62n)).immediate()
  return { record }
}
