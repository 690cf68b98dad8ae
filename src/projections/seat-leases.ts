// The leases of the seats held, by when they run out: how the seat sweeper
// finds the orders whose seats lapsed without anyone asking about them, or
// whose seats' streams ended them before the order learnt of it. Only a hint:
// the sweeper decides on the seats' and the order's own streams.
import type Database from 'better-sqlite3'
import type { Projection } from './projection.js'

export const seatLeasesProjection: Projection = {
  name: 'seat-leases',
  indexes: ['CREATE INDEX IF NOT EXISTS seat_leases_by_expiry ON seat_leases (lease_expires_at)'],
  open: (db) => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS seat_leases (seat_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, lease_expires_at TEXT NOT NULL);
    `)
    const put = db.prepare(
      `INSERT INTO seat_leases (seat_id, order_id, lease_expires_at) VALUES (?, ?, ?)
       ON CONFLICT (seat_id) DO UPDATE SET lease_expires_at = excluded.lease_expires_at`,
    )
    const drop = db.prepare('DELETE FROM seat_leases WHERE seat_id = ?')
    // A seat's lease as the batch leaves it (null: gone), written once: a seat
    // renewed many times in a batch, or granted and released in it, costs one write or none.
    return () => {
      const leases = new Map<string, { readonly orderId: string; readonly leaseExpiresAt: string } | null>()
      return {
        apply: (events) => {
          for (const { event } of events) {
            switch (event.type) {
              case 'SeatGranted':
              case 'SeatLeaseStarted':
              case 'SeatLeaseRenewed':
                leases.set(event.data.seatId, { orderId: event.data.orderId, leaseExpiresAt: event.data.leaseExpiresAt })
                break
              // Ended on its own stream: due at once, until the order records the end (and the row goes).
              case 'SeatLeaseExpired':
              case 'SeatLeaseEnded':
                leases.set(event.data.seatId, { orderId: event.data.orderId, leaseExpiresAt: event.data.at })
                break
              case 'SeatReleased':
              case 'SeatExpired':
                leases.set(event.data.seatId, null)
                break
              case 'LicenseTokenRevoked':
                leases.set(event.data.tokenId, null)
                break
              default:
                break
            }
          }
        },
        flush: () => {
          for (const [seatId, lease] of leases) {
            if (lease === null) drop.run(seatId)
            else put.run(seatId, lease.orderId, lease.leaseExpiresAt)
          }
        },
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
