// Each license's seats as tenures (who held which seat, from its grant to its
// release, expiry or revocation), the instants a seat-usage report counts, and
// the cap's changes, indexed by (order, time): a report over a period reads
// what the period holds and the seats held at its start, not the license's
// whole order stream (a year of hourly use is 100,000 events).
import type Database from 'better-sqlite3'
import type { SeatPeriod, StoredTenure } from '../application/reports.js'
import type { Projection } from './projection.js'

const ORDER_STREAM = 'order-'

interface Tenure {
  readonly orderId: string
  readonly seatId: string
  /** The revision of the grant in the order's stream: the key, and the order open seats are counted in. */
  grantedRev: number
  grantedAt: number
  clientId: string
  machineId: string
  clientName: string | null
  renewedAt: string
  leaseExpiresAt: string
  heartbeatIntervalSeconds: number
  /** The revision of the event that ended it, and when (never before its grant); null while held. */
  endedRev: number | null
  endedAt: number | null
}

const MARK_KINDS = { grant: 0, release: 1, expiry: 2, denial: 3 } as const

export const seatTenuresProjection: Projection = {
  name: 'seat-tenures',
  indexes: [
    'CREATE INDEX IF NOT EXISTS seat_tenures_by_grant ON seat_tenures (order_id, granted_at)',
    'CREATE INDEX IF NOT EXISTS seat_marks_by_time ON seat_marks (order_id, at)',
  ],
  open: (db) => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS seat_tenures (
        order_id TEXT NOT NULL, granted_rev INTEGER NOT NULL, seat_id TEXT NOT NULL, granted_at INTEGER NOT NULL,
        client_id TEXT NOT NULL, machine_id TEXT NOT NULL, client_name TEXT,
        renewed_at TEXT NOT NULL, lease_expires_at TEXT NOT NULL, heartbeat_interval_seconds INTEGER NOT NULL,
        ended_rev INTEGER, ended_at INTEGER,
        PRIMARY KEY (order_id, granted_rev));
      CREATE INDEX IF NOT EXISTS seat_tenures_held ON seat_tenures (order_id, seat_id) WHERE ended_at IS NULL;
      CREATE TABLE IF NOT EXISTS seat_marks (order_id TEXT NOT NULL, at INTEGER NOT NULL, kind INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS seat_caps (order_id TEXT NOT NULL, rev INTEGER NOT NULL, at INTEGER NOT NULL, allowed INTEGER NOT NULL, PRIMARY KEY (order_id, rev));
      CREATE TABLE IF NOT EXISTS seat_tenure_spans (order_id TEXT PRIMARY KEY, longest INTEGER NOT NULL);
    `)
    const heldRow = db.prepare('SELECT * FROM seat_tenures WHERE order_id = ? AND seat_id = ? AND ended_at IS NULL')
    const put = db.prepare(
      `INSERT OR REPLACE INTO seat_tenures (order_id, granted_rev, seat_id, granted_at, client_id, machine_id, client_name, renewed_at, lease_expires_at, heartbeat_interval_seconds, ended_rev, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const mark = db.prepare('INSERT INTO seat_marks (order_id, at, kind) VALUES (?, ?, ?)')
    const cap = db.prepare('INSERT OR REPLACE INTO seat_caps (order_id, rev, at, allowed) VALUES (?, ?, ?, ?)')
    const span = db.prepare(
      'INSERT INTO seat_tenure_spans (order_id, longest) VALUES (?, ?) ON CONFLICT (order_id) DO UPDATE SET longest = max(longest, excluded.longest)',
    )
    // The seats held, as the batch leaves them: a seat renewed every few minutes for a day costs one write per batch.
    return () => {
      const held = new Map<string, Tenure | null>()
      const touched = new Set<Tenure>()
      const heldOf = (orderId: string, seatId: string): Tenure | null => {
        const key = `${orderId}\u0000${seatId}`
        if (held.has(key)) return held.get(key)!
        const row = heldRow.get(orderId, seatId) as Record<string, string | number | null> | undefined
        const tenure: Tenure | null =
          row === undefined
            ? null
            : {
                orderId,
                seatId,
                grantedRev: row.granted_rev as number,
                grantedAt: row.granted_at as number,
                clientId: row.client_id as string,
                machineId: row.machine_id as string,
                clientName: row.client_name as string | null,
                renewedAt: row.renewed_at as string,
                leaseExpiresAt: row.lease_expires_at as string,
                heartbeatIntervalSeconds: row.heartbeat_interval_seconds as number,
                endedRev: null,
                endedAt: null,
              }
        held.set(key, tenure)
        return tenure
      }
      const end = (orderId: string, seatId: string, rev: number, at: string): void => {
        const tenure = heldOf(orderId, seatId)
        if (tenure === null) return
        tenure.endedRev = rev
        tenure.endedAt = Math.max(tenure.grantedAt, Date.parse(at))
        touched.add(tenure)
        held.set(`${orderId}\u0000${seatId}`, null)
      }
      return {
        apply: (events) => {
          for (const { event, recorded } of events) {
            if (!recorded.streamName.startsWith(ORDER_STREAM)) continue
            const orderId = recorded.streamName.slice(ORDER_STREAM.length)
            const rev = recorded.revision
            switch (event.type) {
              case 'SeatGranted': {
                const d = event.data
                const lease = { renewedAt: d.at, leaseExpiresAt: d.leaseExpiresAt, heartbeatIntervalSeconds: d.heartbeatIntervalSeconds }
                // Granted again while held (the report's fold overwrites it, keeping its place): the same row, anew.
                const before = heldOf(orderId, d.seatId)
                const tenure: Tenure = {
                  orderId,
                  seatId: d.seatId,
                  grantedRev: before?.grantedRev ?? rev,
                  grantedAt: Date.parse(d.at),
                  clientId: d.clientId,
                  machineId: d.machineId,
                  clientName: d.clientName,
                  ...lease,
                  endedRev: null,
                  endedAt: null,
                }
                if (before !== null) touched.delete(before)
                held.set(`${orderId}\u0000${d.seatId}`, tenure)
                touched.add(tenure)
                mark.run(orderId, Date.parse(d.at), MARK_KINDS.grant)
                break
              }
              case 'SeatLeaseRenewed': {
                const tenure = heldOf(orderId, event.data.seatId)
                if (tenure === null) break
                tenure.renewedAt = event.data.at
                tenure.leaseExpiresAt = event.data.leaseExpiresAt
                tenure.heartbeatIntervalSeconds = event.data.heartbeatIntervalSeconds
                touched.add(tenure)
                break
              }
              case 'SeatReleased':
                end(orderId, event.data.seatId, rev, event.data.at)
                mark.run(orderId, Date.parse(event.data.at), MARK_KINDS.release)
                break
              case 'SeatExpired':
                end(orderId, event.data.seatId, rev, event.data.at)
                mark.run(orderId, Date.parse(event.data.at), MARK_KINDS.expiry)
                break
              case 'LicenseTokenRevoked':
                if (event.data.kind !== 'seat') break
                end(orderId, event.data.tokenId, rev, event.data.at)
                mark.run(orderId, Date.parse(event.data.at), MARK_KINDS.release)
                break
              case 'SeatRequestDenied':
                mark.run(orderId, Date.parse(event.data.at), MARK_KINDS.denial)
                break
              case 'OrderCreated':
              case 'OrderUpdated':
                cap.run(orderId, rev, Date.parse(event.data.at), event.data.terms.activations_allowed)
                break
              default:
                break
            }
          }
        },
        flush: () => {
          for (const t of touched) {
            put.run(t.orderId, t.grantedRev, t.seatId, t.grantedAt, t.clientId, t.machineId, t.clientName, t.renewedAt, t.leaseExpiresAt, t.heartbeatIntervalSeconds, t.endedRev, t.endedAt)
            if (t.endedAt !== null) span.run(t.orderId, t.endedAt - t.grantedAt)
          }
        },
      }
    }
  },
}

export const seatTenureReader = (db: Database.Database) => {
  const longest = db.prepare('SELECT longest FROM seat_tenure_spans WHERE order_id = ?').pluck()
  // An ended tenure held within [from, to) was granted before `to`, and no earlier than `from` less the longest any of the license's lasted.
  const ended = db.prepare(
    'SELECT * FROM seat_tenures WHERE order_id = ? AND granted_at >= ? AND granted_at < ? AND ended_at IS NOT NULL AND ended_at >= ? ORDER BY ended_rev',
  )
  const stillHeld = db.prepare('SELECT * FROM seat_tenures WHERE order_id = ? AND ended_at IS NULL AND granted_at < ? ORDER BY granted_rev')
  const marks = db.prepare('SELECT at, kind FROM seat_marks WHERE order_id = ? AND at >= ? AND at < ? ORDER BY at')
  // Every change, in the order recorded (a license's cap changes a few times, not hourly).
  const caps = db.prepare('SELECT at, allowed FROM seat_caps WHERE order_id = ? ORDER BY rev')
  const tenureOf = (row: Record<string, string | number | null>): StoredTenure => ({
    holder: { seatId: row.seat_id as string, clientId: row.client_id as string, machineId: row.machine_id as string, clientName: row.client_name as string | null },
    grantedAt: row.granted_at as number,
    ended: row.ended_at === null ? null : { at: row.ended_at as number, rev: row.ended_rev as number },
    grantedRev: row.granted_rev as number,
    lease: { renewedAt: row.renewed_at as string, leaseExpiresAt: row.lease_expires_at as string, heartbeatIntervalSeconds: row.heartbeat_interval_seconds as number },
  })
  return {
    /** The license's seats and counts over [from, to), read through its (order, time) indexes. */
    period: (orderId: string, from: number, to: number): SeatPeriod => {
      const span = (longest.get(orderId) as number | undefined) ?? 0
      const rows = [...(ended.all(orderId, from - span, to, from) as Record<string, string | number | null>[]), ...(stillHeld.all(orderId, to) as Record<string, string | number | null>[])]
      const byKind: number[][] = [[], [], [], []]
      for (const m of marks.all(orderId, from, to) as { at: number; kind: number }[]) byKind[m.kind]!.push(m.at)
      return {
        tenures: rows.map(tenureOf),
        marks: { grants: byKind[MARK_KINDS.grant]!, releases: byKind[MARK_KINDS.release]!, expiries: byKind[MARK_KINDS.expiry]!, denials: byKind[MARK_KINDS.denial]! },
        caps: (caps.all(orderId) as { at: number; allowed: number }[]).map((c) => [c.at, c.allowed] as const),
      }
    },
  }
}
export type SeatTenureReader = ReturnType<typeof seatTenureReader>
