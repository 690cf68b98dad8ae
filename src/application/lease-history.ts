// How long seats' liveness records (their lease renewals) are kept:
// LEASE_HISTORY_RETENTION_DAYS, applied by the store's own mechanism to the
// stream that holds a seat's renewals (EventStoreDB: its `$maxAge`; SQLite:
// old rows deleted). Grants, releases and expiries live in the license's own
// stream, which never gets a retention: they are kept forever.
import { orderStream } from '../domain/order/index.js'
import type { EventStore, StreamRetention } from '../store/port.js'

const DAY_SECONDS = 86_400

/** The retention of a seat's renewals for the configured days; null: none (everything is kept). */
export const leaseHistoryRetention = (days: number | null): StreamRetention | null => (days === null ? null : { maxAgeSeconds: days * DAY_SECONDS })

/**
 * Gives a stream of a seat's renewals the configured retention; with none
 * configured, leaves it as it is. Once per stream is enough (when it is
 * created): the store keeps applying it. A license's stream is refused: what
 * it holds must stay.
 */
export const keepLeaseHistory =
  (store: Pick<EventStore, 'setStreamRetention'>, days: number | null) =>
  async (seatStream: string): Promise<void> => {
    if (seatStream.startsWith(orderStream(''))) throw new Error(`${seatStream} is a license's stream: its grants, releases and expiries are kept forever`)
    const retention = leaseHistoryRetention(days)
    if (retention !== null) await store.setStreamRetention(seatStream, retention)
  }
