// Seed 003's request body (`/v3/activations`), every constraint of its
// schema as documented: required fields, the os enum, string lengths,
// release version formats, date-time, int64 bounds, uuid, and the items of
// metadata and meterAttributes. A field sent as null is taken as not sent.
import * as t from 'io-ts'
import { Bool, BoundedString, Int64, oneOf } from '../../domain/codecs.js'
import type { ActivationChanges } from '../../domain/order/index.js'
import type { PropertyShape } from '../property-names.js'

/**
 * A string of `min` to `max` characters; blanks do not count towards the
 * minimum, as in the events that record them (so a hostname of one space is
 * refused here rather than written and unreadable).
 */
const Str = BoundedString

/** A string matching `pattern`, within `max` characters. */
const Matching = (pattern: RegExp, max: number, expected: string, check: (s: string) => boolean = () => true) =>
  new t.Type<string, string, unknown>(
    expected,
    (u): u is string => typeof u === 'string' && u.length <= max && pattern.test(u) && check(u),
    (u, c) => {
      if (typeof u !== 'string') return t.failure(u, c, 'must be a string')
      if (u.length > max) return t.failure(u, c, `must have at most ${max} characters`)
      return pattern.test(u) && check(u) ? t.success(u) : t.failure(u, c, `must be ${expected}`)
    },
    t.identity,
  )

/** Only x.x, x.x.x and x.x.x.x (x a number); empty is allowed (min 0) and means none. */
export const ReleaseVersion = Matching(/^(\d+\.\d+(\.\d+){0,2})?$/, 256, 'a version as x.x, x.x.x or x.x.x.x')

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

/** RFC 3339 date-time, a real one (no 2021-02-30T25:00:00Z). */
const realDateTime = (s: string): boolean => {
  const [, year, month, day, hour, minute, second] = DATE_TIME.exec(s)!.map(Number)
  const date = new Date(Date.UTC(year!, month! - 1, day!))
  return date.getUTCMonth() === month! - 1 && date.getUTCDate() === day! && hour! < 24 && minute! < 60 && second! < 61 && !Number.isNaN(Date.parse(s))
}
export const DateTime = Matching(DATE_TIME, 64, 'a date-time (RFC 3339, e.g. 2019-08-24T14:15:22Z)', realDateTime)

export const Uuid = Matching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 36, 'a uuid')

export const Os = oneOf('windows', 'linux', 'macos', 'android', 'ios')

/** null means "not sent". */
const optional = <A>(codec: t.Type<A, A, unknown>) =>
  new t.Type<A | undefined, A | undefined, unknown>(
    codec.name,
    (u): u is A | undefined => u === undefined || codec.is(u),
    // The field's own codec stands in its context, so failures inside an array are named by index (`metadata[0].key`).
    (u, c) => (u === undefined || u === null ? t.success(undefined) : codec.validate(u, [...c.slice(0, -1), { ...c[c.length - 1]!, type: codec }])),
    t.identity,
  )

export const Metadata = t.type({ key: Str(1, 256), value: Str(0, 4096) })
export const MeterAttributeIncrement = t.type({ name: Str(1, 256), usesIncrement: Int64() })

/** The fields the seed marks required (`*`). */
const required = {
  os: Os,
  fingerprint: Str(64, 1024),
  hostname: Str(1, 1024),
  userHash: Str(1, 256),
  productId: Str(1, 256),
  accountId: Str(0, 256),
  key: Str(1, 256),
}

const optionalFields = {
  osVersion: optional(Str(0, 256)),
  vmName: optional(Str(0, 256)),
  container: optional(Bool),
  releaseVersion: optional(ReleaseVersion),
  releaseChannel: optional(Str(0, 256)),
  releasePlatform: optional(Str(0, 256)),
  releasePublishedAt: optional(DateTime),
  userId: optional(Str(0, 256)),
  leaseDuration: optional(Int64(-1)),
  metadata: optional(t.array(Metadata, 'an array of {key, value}')),
  meterAttributes: optional(t.array(MeterAttributeIncrement, 'an array of {name, usesIncrement}')),
  deviceId: optional(Uuid),
  deviceChallenge: optional(Str(1, 256)),
  deviceChallengeSignature: optional(Str(1, 1024)),
  // Sent by Cryptlex's own clients (its sample's ActivationRequest), not in the seed's schema: read, never kept.
  appVersion: optional(Str(0, 256)),
  clientVersion: optional(Str(0, 256)),
  email: optional(Str(0, 256)),
  password: optional(Str(0, 256)),
}

/**
 * The body of POST and PATCH: the seed documents one schema, with the same
 * required fields, and both take it as documented.
 */
export const ActivationBody = t.intersection([t.type(required), t.partial(optionalFields)])
export type ActivationBody = t.TypeOf<typeof ActivationBody>

/** Every property name of the body, matched without regard to case (the sample client sends Key, Os, Fingerprint, ...). */
export const ACTIVATION_BODY_NAMES: PropertyShape = {
  ...Object.fromEntries([...Object.keys(required), ...Object.keys(optionalFields)].map((name) => [name, null])),
  metadata: { key: null, value: null },
  meterAttributes: { name: null, usesIncrement: null },
}

/** What the body changes of an activation: what was sent (undefined: keep); meter attributes move by their increments. */
export const changesOf = (body: ActivationBody): ActivationChanges => ({
  os: body.os,
  osVersion: body.osVersion,
  fingerprint: body.fingerprint,
  hostname: body.hostname,
  vmName: body.vmName,
  container: body.container,
  userHash: body.userHash,
  productId: body.productId,
  accountId: body.accountId,
  releaseVersion: body.releaseVersion,
  releaseChannel: body.releaseChannel,
  releasePlatform: body.releasePlatform,
  releasePublishedAt: body.releasePublishedAt,
  userId: body.userId,
  leaseDuration: body.leaseDuration,
  deviceId: body.deviceId,
  metadata: body.metadata,
  meterIncrements: body.meterAttributes,
})
