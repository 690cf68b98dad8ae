// A column added to a table of an existing SQLite file (an outbox from before
// a release that added it); a file without the table yet gets it whole from
// its CREATE TABLE.
import type Database from 'better-sqlite3'

export const addColumnIfMissing = (db: Database.Database, table: string, column: string, definition: string): void => {
  const columns = db.pragma(`table_info(${table})`) as { name: string }[]
  if (columns.length > 0 && !columns.some(({ name }) => name === column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`)
}
