// Which projections a read-model database was built by. A release that adds a
// projection (the audit index, say) finds a database built without it, with a
// checkpoint at the head of the log: the new read model would see only the
// events from there on, and an audit log would start on upgrade day. Such a
// database is emptied and rebuilt from the start of the log, which is what
// read models are for.
import type Database from 'better-sqlite3'
import type { Projection } from './projection.js'

const userTables = (db: Database.Database): string[] =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").pluck().all() as string[]

/**
 * Records the projections `runner` builds this database with; when it was
 * built by others, empties it first (every table, its checkpoint too) so the
 * runner starts from the beginning. Returns the names it was built with when
 * it emptied it, else null.
 */
export const ensureBuiltBy = (db: Database.Database, runner: string, projections: readonly Projection[]): readonly string[] | null => {
  const wanted = projections.map((p) => p.name).sort()
  const builtBy = db
    .transaction((): readonly string[] | null => {
      db.exec('CREATE TABLE IF NOT EXISTS built_by (runner TEXT NOT NULL, projection TEXT NOT NULL, PRIMARY KEY (runner, projection))')
      const recorded = (db.prepare('SELECT projection FROM built_by WHERE runner = ? ORDER BY projection').pluck().all(runner) as string[]).sort()
      if (recorded.join('\u0000') === wanted.join('\u0000')) return null
      const used = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'checkpoints'").get() !== undefined &&
        db.prepare('SELECT 1 FROM checkpoints WHERE name = ?').get(runner) !== undefined
      if (used) {
        for (const table of userTables(db)) if (table !== 'built_by') db.exec(`DROP TABLE "${table.replace(/"/g, '""')}"`)
        db.exec('CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL)')
      }
      db.prepare('DELETE FROM built_by WHERE runner = ?').run(runner)
      const put = db.prepare('INSERT INTO built_by (runner, projection) VALUES (?, ?)')
      for (const name of wanted) put.run(runner, name)
      return used ? recorded : null
    })
    .immediate()
  return builtBy
}
