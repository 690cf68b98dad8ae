// The cheap way to a stored renewal: it takes the rows the engine writes, and
// whatever it takes is exactly what decodeRecorded gives; what it does not
// take (another form, or something that does not decode) is left to
// decodeRecorded.
import fc from 'fast-check'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { decodeRecorded } from '../../src/application/event-codec.js'
import { storedRenewals, type Renewal } from '../../src/application/stored-renewals.js'
import type { RecordedEvent } from '../../src/store/port.js'

const data = {
  orderId: 'order-1',
  seatId: 'seat-1',
  clientId: 'client-1',
  machineId: 'machine-1',
  leaseExpiresAt: '2026-01-05T08:04:00.000Z',
  heartbeatIntervalSeconds: 60,
  at: '2026-01-05T08:01:00.000Z',
}
const metadata = { actor: 'api-key-1', correlationId: 'c-1', causationId: null, requestId: 'r-1', clientIp: '10.0.0.1', idempotencyKey: null, schemaVersion: 1 }

const recordedOf = (dataText: string, metadataText: string): RecordedEvent => ({
  id: 'e-1',
  type: 'SeatLeaseRenewed',
  data: JSON.parse(dataText),
  metadata: JSON.parse(metadataText),
  streamName: 'seat-seat-1',
  revision: 1,
  position: 7n,
  recordedAt: new Date('2026-01-05T08:01:00.000Z'),
})

/** What decodeRecorded makes of the row: the renewal's client and time, or null where it refuses it. */
const decoded = (dataText: string, metadataText: string): Omit<Renewal, 'holder'> | null => {
  try {
    const { event } = decodeRecorded(recordedOf(dataText, metadataText))
    if (event.type !== 'SeatLeaseRenewed') return null
    return { clientId: event.data.clientId, machineId: event.data.machineId, atMs: Date.parse(event.data.at) }
  } catch {
    return null
  }
}

const taken = (read: ReturnType<typeof storedRenewals>['read'], dataText: string, metadataText: string): Omit<Renewal, 'holder'> | null => {
  const into: Renewal = { clientId: '', machineId: '', holder: -1, atMs: 0 }
  if (!read(dataText, metadataText, into)) return null
  const { holder: _holder, ...renewal } = into
  return renewal
}

describe('stored renewals', () => {
  it('takes the renewals the engine writes, again and again for a seat, as decodeRecorded gives them', () => {
    const { read } = storedRenewals()
    for (const minute of [1, 2, 3]) {
      const text = JSON.stringify({ ...data, at: `2026-01-05T08:0${minute}:00.000Z` })
      expect(taken(read, text, JSON.stringify(metadata))).toEqual(decoded(text, JSON.stringify(metadata)))
      expect(taken(read, text, JSON.stringify(metadata))).not.toBeNull()
    }
    // A holder's number: the same for the same client and machine, whichever seat, and another for another.
    const holderOf = (changes: object): number => {
      const into: Renewal = { clientId: '', machineId: '', holder: -1, atMs: 0 }
      expect(read(JSON.stringify({ ...data, ...changes }), JSON.stringify(metadata), into)).toBe(true)
      return into.holder
    }
    expect([holderOf({}), holderOf({ seatId: 'seat-2' }), holderOf({ seatId: 'seat-3', clientId: 'client-3' }), holderOf({ machineId: 'machine-2' }), holderOf({})]).toEqual([0, 0, 1, 2, 0])
  })

  it('leaves to decodeRecorded a renewal in another form, one that does not decode, and a codec that is not a plain object', () => {
    const { read } = storedRenewals()
    const meta = JSON.stringify(metadata)
    const { at, ...others } = data
    expect(taken(read, JSON.stringify({ at, ...others }), meta)).toBeNull()
    expect(taken(read, JSON.stringify(data, null, 1), meta)).toBeNull()
    expect(taken(read, JSON.stringify({ ...data, heartbeatIntervalSeconds: '60' }), meta)).toBeNull()
    expect(taken(read, JSON.stringify({ ...data, clientId: 'a"b' }), meta)).toBeNull()
    expect(taken(read, JSON.stringify({ ...data, at: 'not a time' }), meta)).toBeNull()
    expect(taken(read, JSON.stringify({ ...data, clientId: ' ' }), meta)).toBeNull()
    expect(taken(read, JSON.stringify(data), JSON.stringify({ ...metadata, schemaVersion: 0 }))).toBeNull()
    expect(taken(read, JSON.stringify(data), JSON.stringify({ ...metadata, actor: 7 }))).toBeNull()
    expect(taken(read, JSON.stringify(data), '{')).toBeNull()
    const notPlain = storedRenewals(t.intersection([t.type({ type: t.literal('SeatLeaseRenewed') }), t.type({ data: t.unknown })]))
    expect(taken(notPlain.read, JSON.stringify(data), meta)).toBeNull()
  })

  it('whatever it takes, from any text, decodeRecorded gives alike; what decodeRecorded refuses, it never takes', () => {
    // Texts near the engine's own: its fields each kept, changed to a value of another sort, or dropped, in any order, with the metadata so too.
    const value = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('', ' ', 'x"y', 'a\\b', '\u0001', '2026-01-05T08:02:00.000Z', '2026-02-30T00:00:00.000Z'), fc.integer({ min: -2, max: 100 }), fc.constant(null), fc.double())
    const kept = fc.constant(undefined)
    const fields = (base: Record<string, unknown>) =>
      fc.record(Object.fromEntries(Object.keys(base).map((key) => [key, fc.oneof({ arbitrary: kept, weight: 12 }, { arbitrary: value, weight: 1 })])) as Record<string, fc.Arbitrary<unknown>>).map((changes) => {
        const changed: Record<string, unknown> = { ...base }
        for (const [key, v] of Object.entries(changes)) if (v !== undefined) changed[key] = v === null && key in data ? undefined : v
        return changed
      })
    const { read } = storedRenewals()
    let tookSome = 0
    fc.assert(
      fc.property(fields(data), fields(metadata), fc.boolean(), (d, m, reorder) => {
        const dataText = JSON.stringify(reorder ? Object.fromEntries(Object.entries(d).reverse()) : d)
        const metadataText = JSON.stringify(m)
        const took = taken(read, dataText, metadataText)
        if (took !== null) expect(took).toEqual(decoded(dataText, metadataText))
        if (took !== null) tookSome += 1
      }),
      { numRuns: 2_000 },
    )
    // Some of them at least were taken (the engine's own form comes up).
    expect(tookSome).toBeGreaterThan(0)
  })
})
