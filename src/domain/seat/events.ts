// Facts of a floating seat's own stream (`seat-<seatId>`): its liveness. The
// lease it started with, every renewal, and its end: expired (decided here,
// under optimistic concurrency, so a renewal that got here first wins) or
// ended by a release or a revocation. The order's stream learns of an end
// afterwards; renewals stay here, so a busy license's stream does not grow
// with its heartbeats. A renewal is the order's own SeatLeaseRenewed, the
// event renewals always were: what reads it (the audit, the read models)
// reads it alike in either stream.
import * as t from 'io-ts'
import { Instant, NonNegativeInt, oneOf } from '../codecs.js'
import { ClientId, MachineId } from '../order/machine.js'
import { SeatLeaseRenewed } from '../order/usage-events.js'
import type { EventSchemas } from '../versioning.js'

const Holder = { orderId: t.string, seatId: t.string, clientId: ClientId, machineId: MachineId }

export const SeatLeaseStarted = t.type({
  type: t.literal('SeatLeaseStarted'),
  data: t.type({ ...Holder, leaseExpiresAt: Instant, heartbeatIntervalSeconds: NonNegativeInt, at: Instant }),
})

export { SeatLeaseRenewed }

export const SeatLeaseExpired = t.type({
  type: t.literal('SeatLeaseExpired'),
  data: t.type({
    ...Holder,
    /** When the lease ran out. */
    at: Instant,
    /** When the engine noticed and recorded it. */
    recordedAt: Instant,
  }),
})

export const SeatEndReason = oneOf('released', 'revoked')

export const SeatLeaseEnded = t.type({
  type: t.literal('SeatLeaseEnded'),
  data: t.type({ ...Holder, reason: SeatEndReason, at: Instant }),
})

export const SeatEvent = t.union([SeatLeaseStarted, SeatLeaseRenewed, SeatLeaseExpired, SeatLeaseEnded])
export type SeatEvent = t.TypeOf<typeof SeatEvent>

export const seatSchemas: EventSchemas<SeatEvent['type']> = {
  versions: { SeatLeaseStarted: 1, SeatLeaseRenewed: 1, SeatLeaseExpired: 1, SeatLeaseEnded: 1 },
  upcasters: {},
}
