// The log's writer thread. A commit with synchronous=FULL waits for the disk
// (an fsync of the WAL); on the main thread that wait stops every request.
// Here the main thread goes on answering while a group is committed, and
// whatever it appends meanwhile is the next group: one fsync covers every
// append that arrived during the one before (group commit under load).
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { configureLog, createAppender, failureOf, type AppendRequest, type Settled } from './sqlite-append.js'

/** A group to commit, stamped on the main thread (whose clock a test may control). */
export interface WriteGroup {
  readonly batch: readonly AppendRequest[]
  readonly recordedAt: string
}

/** Each append's outcome, or why the whole group failed (the transaction could not start or commit). */
export type WriteReply = { readonly ok: true; readonly settled: readonly Settled[] } | { readonly ok: false; readonly failure: ReturnType<typeof failureOf> }

export interface WriterData {
  readonly path: string
  readonly busyTimeoutMs: number
}

if (parentPort !== null) {
  const port = parentPort
  const { path, busyTimeoutMs } = workerData as WriterData
  const db = new Database(path)
  configureLog(db, busyTimeoutMs)
  const appendBatch = createAppender(db)
  port.on('message', (group: WriteGroup | 'close') => {
    if (group === 'close') {
      db.close()
      port.close()
      return
    }
    let reply: WriteReply
    try {
      // IMMEDIATE takes the write lock up front, so a second process writing
      // the same file waits (busy_timeout) instead of failing to upgrade.
      reply = { ok: true, settled: appendBatch.immediate(group.batch, group.recordedAt) }
    } catch (error) {
      reply = { ok: false, failure: failureOf(error) }
    }
    port.postMessage(reply)
  })
}
