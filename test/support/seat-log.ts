// What a license's log says of its seats, checked from the log alone: its
// order's stream and its seats' own streams merged in log order. The seat cap
// held at every grant and activation (counting every seat still alive by its
// own stream, and every activation), and the order never freed a seat's place
// before the seat's own stream had ended it (over-counted at worst, never
// under-counted).
import { decodeRecorded } from '../../src/application/event-codec.js'
import type { DomainEvent } from '../../src/domain/events.js'
import type { EventStore, RecordedEvent } from '../../src/store/port.js'

export interface SeatLogReport {
  /** At each grant or activation: places alive by the seats' own streams, and the limit then. */
  readonly takings: readonly { readonly alive: number; readonly limit: number }[]
  /** Seats the order ended before their own stream did (must be none). */
  readonly freedEarly: readonly string[]
  readonly grants: number
  readonly renewals: number
  /** Renewals in the order's own stream (none are written any more). */
  readonly renewalsInOrderStream: number
}

interface SeatTrack {
  leaseExpiresAt: number
  ended: boolean
}

export const seatLog = async (store: EventStore, orderId: string): Promise<SeatLogReport> => {
  const order = await store.readStream(`order-${orderId}`)
  const seatIds = order.flatMap((recorded) => (recorded.type === 'SeatGranted' ? [(recorded.data as { seatId: string }).seatId] : []))
  const seatStreams = await Promise.all(seatIds.map((seatId) => store.readStream(`seat-${seatId}`)))
  const merged: RecordedEvent[] = [...order, ...seatStreams.flat()].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0))

  const seats = new Map<string, SeatTrack>()
  const activations = new Set<string>()
  let limit = 0
  let renewals = 0
  let renewalsInOrderStream = 0
  const takings: { alive: number; limit: number }[] = []
  const freedEarly: string[] = []
  const aliveAt = (at: number): number => [...seats.values()].filter((seat) => !seat.ended && seat.leaseExpiresAt > at).length
  for (const recorded of merged) {
    const event: DomainEvent = decodeRecorded(recorded).event
    const inOrder = recorded.streamName.startsWith('order-')
    switch (event.type) {
      case 'OrderCreated':
      case 'OrderUpdated':
        limit = event.data.terms.activations_allowed
        break
      case 'SeatGranted':
        seats.set(event.data.seatId, { leaseExpiresAt: Date.parse(event.data.leaseExpiresAt), ended: false })
        takings.push({ alive: aliveAt(Date.parse(event.data.at)) + activations.size, limit })
        break
      case 'MachineActivated':
        activations.add(event.data.activationId)
        takings.push({ alive: aliveAt(Date.parse(event.data.at)) + activations.size, limit })
        break
      case 'MachineDeactivated':
        activations.delete(event.data.activationId)
        break
      case 'SeatLeaseRenewed': {
        renewals += 1
        if (inOrder) renewalsInOrderStream += 1
        const seat = seats.get(event.data.seatId)
        if (seat !== undefined) seat.leaseExpiresAt = Date.parse(event.data.leaseExpiresAt)
        break
      }
      case 'SeatLeaseExpired':
      case 'SeatLeaseEnded': {
        const seat = seats.get(event.data.seatId)
        if (seat !== undefined) seat.ended = true
        break
      }
      case 'SeatReleased':
      case 'SeatExpired':
      case 'LicenseTokenRevoked': {
        const seatId = event.type === 'LicenseTokenRevoked' ? event.data.tokenId : event.data.seatId
        const seat = seats.get(seatId)
        if (seat !== undefined && !seat.ended) freedEarly.push(seatId)
        break
      }
      default:
        break
    }
  }
  return { takings, freedEarly, grants: seatIds.length, renewals, renewalsInOrderStream }
}
