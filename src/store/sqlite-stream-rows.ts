// Reads some streams of the embedded log straight from its table, for a reader
// that goes through millions of events at once (the what-if's heartbeats): the
// events of one type in the given streams, in log order, as the table holds
// them (position, data and metadata as JSON text), from one query over a
// read-only connection of its own (opened for the read, closed with it), so
// one snapshot of the file. Where those streams
// are most of the log between their first and last event, the table is
// scanned in position order (sequential, no lookup per row); where they are a
// few among many, their rows are found through the stream index and sorted by
// SQLite. A stream with a retention is read through the store instead (the
// caller is told so): its reads leave out what the retention no longer keeps.
import Database from 'better-sqlite3'
import type { RecordedEvent } from './port.js'
import type { EventRow } from './sqlite-chain.js'
import { toRecorded } from './sqlite.js'

/** An event's row: its position, data and metadata, the last two as stored (JSON text). */
export type StoredRow = readonly [position: number, data: string, metadata: string]

export type ScanPlan = 'scan' | 'index'

export interface SqliteStreamRows {
  /**
   * The events of `streams` of the type, in log order; null when one of the streams has a
   * retention (read it through the store). The rows come from one read transaction, which `close` ends
   * (call it, done or not): the log's WAL is not checkpointed past it meanwhile. A page at a time (a query's
   * rows taken whole cost less than one at a time).
   */
  readonly rows: (streams: readonly string[], type: string) => StreamRowsRead | null
}

export interface StreamRowsRead {
  /** How many rows at most (the streams' sizes, of every type): for progress. */
  readonly estimate: number
  readonly plan: ScanPlan
  /** The next rows (a page of them, in log order); none: the end. */
  readonly next: () => readonly StoredRow[]
  /** The event at a position as the store's reads give it (a row its reader could not take as it is goes the usual way). */
  readonly event: (position: number) => RecordedEvent | null
  /** Ends the read (its transaction and its connection), whether the iterator is done or not. */
  readonly close: () => void
}

/** Rows of the log per row of the streams read, above which the table is scanned rather than looked up by stream. */
const SCAN_ABOVE = 4

/** `plan`: the one to take whatever the streams' share of the log (tests, benches); absent: chosen by it. */
export const sqliteStreamRows = (path: string, options: { readonly plan?: ScanPlan } = {}): SqliteStreamRows => ({
  rows: (streams, type) => rowsOf(new Database(path, { readonly: true, fileMustExist: true }), streams, type, options.plan),
})

/** Rows a page holds. */
const PAGE = 5_000

const SCAN = `SELECT position, data, metadata FROM events NOT INDEXED
  WHERE position > ? AND position <= ? AND type = ? AND stream IN (SELECT value FROM json_each(?))
  ORDER BY position LIMIT ${PAGE}`
const BY_INDEX = `SELECT position, data, metadata FROM events
  WHERE stream IN (SELECT value FROM json_each(?)) AND type = ?
  ORDER BY position`

const rowsOf = (db: Database.Database, streams: readonly string[], type: string, chosen: ScanPlan | undefined): StreamRowsRead | null => {
  let open = true
  const close = (): void => {
    if (!open) return
    open = false
    if (db.inTransaction) db.exec('COMMIT')
    db.close()
  }
  try {
    db.pragma('busy_timeout = 10000')
    // The file mapped rather than read through the page cache: a scan touches every page of its span.
    db.pragma('mmap_size = 2147418112')
    // One read transaction for the sizes and the rows: what the plan was chosen on is what is read.
    db.exec('BEGIN')
    const retention = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stream_retention'").pluck().get() !== undefined
    const retained = retention ? db.prepare('SELECT 1 FROM stream_retention WHERE stream = ?').pluck() : null
    if (retained !== null && streams.some((stream) => retained.get(stream) !== undefined)) {
      close()
      return null
    }
    // Each stream's first and last event, found through the stream index (a stream's positions rise with its revisions).
    const edge = (order: 'ASC' | 'DESC') => db.prepare(`SELECT position, revision FROM events WHERE stream = ? ORDER BY revision ${order} LIMIT 1`)
    const [firstOf, lastOf] = [edge('ASC'), edge('DESC')]
    let first = Infinity
    let last = -Infinity
    let estimate = 0
    for (const stream of streams) {
      const head = firstOf.get(stream) as { position: number; revision: number } | undefined
      const tail = lastOf.get(stream) as { position: number; revision: number } | undefined
      if (head === undefined || tail === undefined) continue
      first = Math.min(first, head.position)
      last = Math.max(last, tail.position)
      estimate += tail.revision - head.revision + 1
    }
    const plan: ScanPlan = chosen ?? (last - first + 1 > SCAN_ABOVE * estimate ? 'index' : 'scan')
    const streamList = JSON.stringify(streams)
    const scan = db.prepare(SCAN).raw(true)
    // Scanned, a page is the next query from the last position read; by the index, the rows SQLite sorted, a page at a time.
    let after = first - 1
    let iterator: IterableIterator<StoredRow> | null = null
    const next = (): readonly StoredRow[] => {
      if (estimate === 0 || after >= last) return []
      if (plan === 'scan') {
        const page = scan.all(after, last, type, streamList) as StoredRow[]
        after = page.length < PAGE ? last : page[page.length - 1]![0]
        return page
      }
      iterator ??= db.prepare(BY_INDEX).raw(true).iterate(streamList, type) as IterableIterator<StoredRow>
      const page: StoredRow[] = []
      for (let row = iterator.next(); !row.done; row = iterator.next()) if (page.push(row.value) === PAGE) return page
      after = last
      return page
    }
    const one = db.prepare('SELECT * FROM events WHERE position = ?').safeIntegers(true)
    return {
      estimate,
      plan,
      next,
      event: (position) => {
        const row = one.get(position) as EventRow | undefined
        return row === undefined ? null : toRecorded(row)
      },
      close: () => {
        // The statement first: the transaction cannot end while it iterates.
        iterator?.return?.()
        close()
      },
    }
  } catch (error) {
    close()
    throw error
  }
}
