// Compares two read-model databases table by table and row by row, inside
// SQLite (the other one attached), so neither is loaded into memory. Rows are
// compared as multisets of whole rows: every column counts, and nothing is
// ignored but SQLite's own bookkeeping tables (sqlite_*).
import type Database from 'better-sqlite3'

export interface TableDifference {
  readonly table: string
  /** What differs: the table exists on one side only, its columns differ, or its rows do. */
  readonly kind: 'missing-in-replay' | 'missing-in-live' | 'columns' | 'rows'
  /** Rows (with their number of copies) on one side and not the other. */
  readonly onlyLive: number
  readonly onlyReplayed: number
  readonly examples: { readonly live: readonly unknown[]; readonly replayed: readonly unknown[] }
}

export interface Comparison {
  readonly tables: number
  readonly rows: number
  readonly differences: readonly TableDifference[]
}

const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`

/**
 * Compares `main` of `db` with the database attached to it as `other`. Run it
 * inside a read transaction when `main` is being written meanwhile.
 */
export const compareAttached = (db: Database.Database, other: string, examples = 3): Comparison => {
  const tablesOf = (schema: string): string[] =>
    (db.prepare(`SELECT name FROM ${quoted(schema)}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).pluck().all() as string[])
  const columnsOf = (schema: string, table: string): string[] =>
    (db.prepare(`SELECT name FROM pragma_table_info(?, ?) ORDER BY cid`).pluck().all(table, schema) as string[])
  const count = (schema: string, table: string): number =>
    db.prepare(`SELECT COUNT(*) FROM ${quoted(schema)}.${quoted(table)}`).pluck().get() as number

  const live = tablesOf('main')
  const replayed = tablesOf(other)
  const differences: TableDifference[] = []
  let rows = 0
  const none = { live: [], replayed: [] }

  for (const table of live.filter((t) => !replayed.includes(t))) {
    differences.push({ table, kind: 'missing-in-replay', onlyLive: count('main', table), onlyReplayed: 0, examples: none })
  }
  for (const table of replayed.filter((t) => !live.includes(t))) {
    differences.push({ table, kind: 'missing-in-live', onlyLive: 0, onlyReplayed: count(other, table), examples: none })
  }
  for (const table of live.filter((t) => replayed.includes(t))) {
    rows += count('main', table)
    const columns = columnsOf('main', table)
    if (columns.join('\u0000') !== columnsOf(other, table).join('\u0000')) {
      differences.push({ table, kind: 'columns', onlyLive: count('main', table), onlyReplayed: count(other, table), examples: none })
      continue
    }
    // A row and how many copies of it there are: equal multisets, whatever the tables' keys.
    const list = columns.map(quoted).join(', ')
    const grouped = (schema: string): string => `SELECT ${list}, COUNT(*) AS copies FROM ${quoted(schema)}.${quoted(table)} GROUP BY ${list}`
    const onlyIn = (a: string, b: string): string => `${grouped(a)} EXCEPT ${grouped(b)}`
    const onlyLive = db.prepare(`SELECT COUNT(*) FROM (${onlyIn('main', other)})`).pluck().get() as number
    const onlyReplayed = db.prepare(`SELECT COUNT(*) FROM (${onlyIn(other, 'main')})`).pluck().get() as number
    if (onlyLive === 0 && onlyReplayed === 0) continue
    differences.push({
      table,
      kind: 'rows',
      onlyLive,
      onlyReplayed,
      examples: {
        live: db.prepare(`${onlyIn('main', other)} LIMIT ${examples}`).all(),
        replayed: db.prepare(`${onlyIn(other, 'main')} LIMIT ${examples}`).all(),
      },
    })
  }
  return { tables: live.length, rows, differences }
}
