// A floating seat as the seat.* webhooks show it: the seat, its license
// (id, key, product), its client and machine, its grant and lease, and how
// it ended. A revoked seat ends like a released one (seat.released, status
// "revoked").
import type { ExistingOrder, Seat } from '../domain/order/index.js'

export type SeatEnding =
  | { readonly status: 'granted' }
  | { readonly status: 'released' | 'revoked'; readonly at: string }
  /** `at`: when its lease ran out. */
  | { readonly status: 'expired'; readonly at: string }

export const seatView = (order: ExistingOrder, seat: Seat, productId: string | null, ending: SeatEnding) => ({
  id: seat.seatId,
  licenseId: order.orderId,
  licenseKey: order.activationKey,
  productId,
  clientId: seat.clientId,
  clientName: seat.clientName,
  machineId: seat.machineId,
  status: ending.status,
  grantedAt: seat.grantedAt,
  /** The lease as last written (the grant or the last renewal). */
  leaseExpiresAt: seat.leaseExpiresAt,
  heartbeatIntervalSeconds: seat.heartbeatIntervalSeconds,
  releasedAt: ending.status === 'released' || ending.status === 'revoked' ? ending.at : null,
  expiredAt: ending.status === 'expired' ? ending.at : null,
})
