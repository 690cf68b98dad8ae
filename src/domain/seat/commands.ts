// Commands on a seat's own stream. Each carries the order's record of the
// seat: a seat's stream extends that record (a seat granted before seats had
// streams, or whose stream's first write was lost, starts from it).
import * as t from 'io-ts'
import { Instant, NonNegativeInt } from '../codecs.js'
import { SeatSettings } from '../order/lease.js'
import { ClientId, MachineId } from '../order/machine.js'
import { SeatEndReason } from './events.js'

export const RecordedSeat = t.type({
  orderId: t.string,
  seatId: t.string,
  clientId: ClientId,
  machineId: MachineId,
  /** The grant, or the last renewal the order's stream holds (logs from before seats had streams). */
  renewedAt: Instant,
  leaseExpiresAt: Instant,
  heartbeatIntervalSeconds: NonNegativeInt,
})
export type RecordedSeat = t.TypeOf<typeof RecordedSeat>

/** A granted seat's stream begins with its first lease. */
export const StartSeatLease = t.type({ type: t.literal('StartSeatLease'), seat: RecordedSeat })
export type StartSeatLease = t.TypeOf<typeof StartSeatLease>

/** A heartbeat: renew the lease when due, under the order's current settings. */
export const RenewSeatLease = t.type({ type: t.literal('RenewSeatLease'), seat: RecordedSeat, settings: SeatSettings })
export type RenewSeatLease = t.TypeOf<typeof RenewSeatLease>

/** Record the expiry of a lease that ran out. */
export const ExpireSeatLease = t.type({ type: t.literal('ExpireSeatLease'), seat: RecordedSeat })
export type ExpireSeatLease = t.TypeOf<typeof ExpireSeatLease>

/** Give the seat back, or revoke its token. */
export const EndSeatLease = t.type({ type: t.literal('EndSeatLease'), seat: RecordedSeat, reason: SeatEndReason })
export type EndSeatLease = t.TypeOf<typeof EndSeatLease>

export const SeatCommand = t.union([StartSeatLease, RenewSeatLease, ExpireSeatLease, EndSeatLease])
export type SeatCommand = t.TypeOf<typeof SeatCommand>
