// Reading stored events back: each type is decoded by its own codec, as the
// union of every event would decode it, and an event that does not decode is
// an error that says why, never skipped.
import { describe, expect, it } from 'vitest'
import { decodeRecorded, EventDecodeError } from '../../src/application/event-codec.js'
import { DomainEvent } from '../../src/domain/events.js'
import type { RecordedEvent } from '../../src/store/port.js'

const metadata = { schemaVersion: 1, actor: 'admin-token', correlationId: 'c', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }
const stored = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  id: 'e1', type, data: data as RecordedEvent['data'], metadata, streamName: 'order-o1', revision: 3, position: 42n, recordedAt: new Date('2026-03-02T08:00:00.000Z'),
})
const renewed = { orderId: 'o1', seatId: 's1', clientId: 'c1', machineId: 'm1', leaseExpiresAt: '2026-03-02T08:03:00.000Z', heartbeatIntervalSeconds: 60, at: '2026-03-02T08:00:00.000Z' }

describe('decoding a stored event', () => {
  it('given a stored event, then it is the event the union of every event decodes, with its metadata', () => {
    const recorded = stored('SeatLeaseRenewed', renewed)
    const union = DomainEvent.decode({ type: 'SeatLeaseRenewed', data: renewed })
    expect(union._tag).toBe('Right')
    expect(decodeRecorded(recorded)).toEqual({ event: (union as { right: unknown }).right, metadata })
  })
  it('given data that does not fit its type, then it is an error naming the event and the field, as the union explains it', () => {
    const recorded = stored('SeatLeaseRenewed', { ...renewed, leaseExpiresAt: 'soon' })
    expect(() => decodeRecorded(recorded)).toThrow(EventDecodeError)
    expect(() => decodeRecorded(recorded)).toThrow(/stored event SeatLeaseRenewed \(e1\) at order-o1@3, position 42, does not decode: .*leaseExpiresAt/)
  })
  it('given a type no aggregate knows, then it is an error, not a skip', () => {
    expect(() => decodeRecorded(stored('SeatTeleported', renewed))).toThrow(/UnknownEventType/)
  })
  it('given data of another type under a type, then it does not decode', () => {
    expect(() => decodeRecorded(stored('OrderCreated', renewed))).toThrow(EventDecodeError)
  })
})
