// What the metrics read from the engine's own SQLite files at scrape time,
// through read-only connections of their own: the read models (live seats,
// activations, licenses) and the webhook outbox (deliveries by outcome).
// A file or table not there yet (a fresh engine) reads as nothing.
import Database from 'better-sqlite3'

export interface ReadOnlyFiles {
  readonly liveSeats: (now: Date) => number | null
  readonly activations: () => number | null
  readonly licenses: () => number | null
  readonly deliveries: () => Readonly<Record<string, number>> | null
  readonly retryBacklog: () => number | null
  readonly close: () => void
}

const connect = (path: string | null): Database.Database | null => {
  if (path === null) return null
  try {
    return new Database(path, { readonly: true, fileMustExist: true })
  } catch {
    return null
  }
}

export const readOnly = (paths: { readonly readModels: string; readonly outbox: string | null }): ReadOnlyFiles => {
  const opened = new Map<string, Database.Database>()
  // Opened at the first scrape that finds the file, then kept.
  const db = (path: string | null): Database.Database | null => {
    if (path === null) return null
    const existing = opened.get(path)
    if (existing !== undefined) return existing
    const made = connect(path)
    if (made !== null) opened.set(path, made)
    return made
  }
  const query = <A>(path: string | null, run: (db: Database.Database) => A): A | null => {
    const found = db(path)
    if (found === null) return null
    try {
      return run(found)
    } catch {
      return null
    }
  }
  const count = (path: string | null, sql: string, ...params: unknown[]): number | null =>
    query(path, (d) => (d.prepare(sql).pluck().get(...params) as number | null) ?? 0)

  return {
    liveSeats: (now) => count(paths.readModels, 'SELECT count(*) FROM seat_leases WHERE lease_expires_at > ?', now.toISOString()),
    activations: () => count(paths.readModels, "SELECT count(*) FROM license_orders o, json_each(o.state, '$.usage.activations')"),
    licenses: () => count(paths.readModels, 'SELECT count(*) FROM license_orders'),
    deliveries: () =>
      query(paths.outbox, (d) =>
        Object.fromEntries((d.prepare('SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status').all() as { status: string; n: number }[]).map((r) => [r.status, r.n])),
      ),
    retryBacklog: () => count(paths.outbox, "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending' AND attempts > 0"),
    close: () => {
      for (const d of opened.values()) d.close()
      opened.clear()
    },
  }
}
