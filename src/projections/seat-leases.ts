// The leases of the seats held, by when they run out: how the seat sweeper
// finds the orders whose seats lapsed without anyone asking about them. Only
// a hint: the sweeper decides on the order's own stream.
import type Database from 'better-sqlite3'
import type { Projection } from './projection.js'

export const seatLeasesProjection: Projection = {
  name: 'seat-leases',
  open: (db) => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS seat_leases (seat_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, lease_expires_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS seat_leases_by_expiry ON seat_leases (lease_expires_at);
    `)
    const put = db.prepare(
      `INSERT INTO seat_leases (seat_id, order_id, lease_expires_at) VALUES (?, ?, ?)
       ON CONFLICT (seat_id) DO UPDATE SET lease_expires_at = excluded.lease_expires_at`,
    )
    const drop = db.prepare('DELETE FROM seat_leases WHERE seat_id = ?')
    return ({ event }) => {
      switch (event.type) {
        case 'SeatGranted':
        case 'SeatLeaseRenewed':
          put.run(event.data.seatId, event.data.orderId, event.data.leaseExpiresAt)
          return
        case 'SeatReleased':
        case 'SeatExpired':
          drop.run(event.data.seatId)
          return
        case 'LicenseTokenRevoked':
          drop.run(event.data.tokenId)
          return
        default:
          return
      }
    }
  },
}

export const seatLeaseReader = (db: Database.Database) => {
  // ISO instants as the events write them (24 characters, UTC) sort as text in time order.
  const lapsed = db.prepare('SELECT DISTINCT order_id FROM seat_leases WHERE lease_expires_at <= ? ORDER BY order_id LIMIT ?')
  return {
    /** Orders holding at least one seat whose lease ended at or before `now`. */
    ordersWithLapsedSeats: (now: Date, limit: number): string[] =>
      (lapsed.all(now.toISOString(), limit) as { order_id: string }[]).map((r) => r.order_id),
  }
}
