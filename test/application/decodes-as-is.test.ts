// The cheaper decode path: a value is taken as it is only when io-ts's decode
// would succeed and hand back that very value; everything else goes to decode.
import fc from 'fast-check'
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { decodesAsIs } from '../../src/application/decodes-as-is.js'
import { EventMetadata } from '../../src/application/metadata.js'
import { CalendarDate, IntFromInput, nullable } from '../../src/domain/codecs.js'
import { DomainEvent } from '../../src/domain/events.js'
import { IpAddress } from '../../src/domain/ip-address.js'

const sameAsDecode = (codec: t.Mixed, u: unknown): void => {
  const result = codec.decode(u)
  expect(decodesAsIs(codec)(u)).toBe(E.isRight(result) && result.right === u)
}

describe('decodes as is', () => {
  const Sample = t.intersection([
    t.type({ kind: t.literal('a'), n: IntFromInput(0, 10), day: CalendarDate, ip: nullable(IpAddress), tags: t.array(t.string) }),
    t.partial({ note: t.string, extra: t.record(t.string, t.number) }),
  ])
  const valid = { kind: 'a', n: 3, day: '2024-02-29', ip: '10.0.0.1', tags: ['x'] }

  it('given a value decode returns unchanged, then it is taken as it is', () => {
    expect(decodesAsIs(Sample)(valid)).toBe(true)
    expect(decodesAsIs(Sample)({ ...valid, ip: null, note: 'n', extra: { a: 1 } })).toBe(true)
  })
  it('given a value only our own codec refuses (a date that does not exist), then it is not taken: decode decides', () => {
    expect(decodesAsIs(Sample)({ ...valid, day: '2021-02-30' })).toBe(false)
    expect(E.isLeft(Sample.decode({ ...valid, day: '2021-02-30' }))).toBe(true)
  })
  it('given a value decode would change (a number sent as text, an address not in canonical form, a key it would add), then it is not taken', () => {
    expect(decodesAsIs(Sample)({ ...valid, n: '3' })).toBe(false)
    expect(decodesAsIs(Sample)({ ...valid, ip: ' 10.0.0.1' })).toBe(false)
    expect(decodesAsIs(t.type({ a: t.union([t.string, t.undefined]) }))({})).toBe(false)
  })
  it('given anything at all, then it agrees with decode, for our own codecs and io-ts', () => {
    const json = fc.jsonValue()
    const values = fc.oneof(
      json,
      fc.record({ kind: fc.constantFrom('a', 'b'), n: fc.oneof(fc.integer({ min: -2, max: 12 }), fc.constantFrom('3', 3.5)), day: fc.constantFrom('2024-02-29', '2023-02-29', 'x'), ip: fc.constantFrom(null, '10.0.0.1', '::1', '0::1', 'x'), tags: fc.array(fc.oneof(fc.string(), fc.integer())) }),
    )
    fc.assert(fc.property(values, (u) => sameAsDecode(Sample, u)), { numRuns: 500 })
    fc.assert(fc.property(json, (u) => sameAsDecode(EventMetadata, u)), { numRuns: 200 })
    fc.assert(fc.property(json, (u) => sameAsDecode(DomainEvent, u)), { numRuns: 200 })
  })
  it('given stored metadata as the engine writes it, then it is taken as it is', () => {
    const metadata = { schemaVersion: 1, actor: null, correlationId: 'c', causationId: null, requestId: 'r', clientIp: '127.0.0.1', idempotencyKey: null }
    expect(decodesAsIs(EventMetadata)(metadata)).toBe(true)
    expect(decodesAsIs(EventMetadata)({ ...metadata, schemaVersion: '1' })).toBe(false)
  })
})
