// The read-model database: a SQLite file beside the event log. It can be
// deleted at any time; the projections rebuild it from the log. Durability
// of each commit is therefore not needed (synchronous=NORMAL).
import Database from 'better-sqlite3'

export const openReadStore = (path: string): Database.Database => {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 10000')
  db.exec('CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL)')
  return db
}
