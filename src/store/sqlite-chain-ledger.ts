// The chain ledger of the embedded log (src/chain/ledger.ts): the chain's
// tables in the log's own file (sqlite-chain.ts keeps them at append), through
// a connection of its own, so the store's appends never wait on it.
import Database from 'better-sqlite3'
import type { Checkpoint } from '../chain/checkpoints.js'
import type { ChainLedger } from '../chain/ledger.js'
import { CHAIN_SCHEMA } from './sqlite-chain.js'
import { checkpointOf, readSqliteChain, SELECT_CHECKPOINTS, type CheckpointRow } from './sqlite-chain-reader.js'

export const openSqliteChainLedger = (path: string): ChainLedger => {
  const db = new Database(path)
  db.pragma('busy_timeout = 10000')
  db.defaultSafeIntegers(true)
  db.exec(CHAIN_SCHEMA)
  const tipRow = db.prepare('SELECT position, link FROM event_chain ORDER BY position DESC LIMIT 1')
  const lastRow = db.prepare(`${SELECT_CHECKPOINTS} DESC LIMIT 1`)
  const since = db.prepare('SELECT COUNT(*) AS n FROM event_chain WHERE position > ?')
  const insert = db.prepare('INSERT OR IGNORE INTO chain_checkpoints (position, link, signed_at, jws) VALUES (?, ?, ?, ?)')
  const all = db.prepare(SELECT_CHECKPOINTS)
  const lastCheckpoint = (): Checkpoint | null => {
    const row = lastRow.get() as CheckpointRow | undefined
    return row === undefined ? null : checkpointOf(row)
  }
  return {
    tip: async () => {
      const row = tipRow.get() as { position: bigint; link: string } | undefined
      if (row === undefined) return null
      const last = lastCheckpoint()
      return { position: row.position, link: row.link, sinceCheckpoint: Number((since.get(last?.position ?? 0n) as { n: bigint }).n), lastCheckpoint: last }
    },
    put: async (checkpoint) => {
      insert.run(checkpoint.position, checkpoint.link, checkpoint.signedAt, checkpoint.jws)
    },
    checkpoints: async () => (all.all() as CheckpointRow[]).map(checkpointOf),
    read: async () => readSqliteChain(path),
    // Chained in each append's own transaction: it never falls behind.
    health: () => ({ ok: true, detail: 'kept at append' }),
    close: async () => {
      db.close()
    },
  }
}
