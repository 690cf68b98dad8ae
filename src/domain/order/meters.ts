// Meter attributes (seed 003): counters of what a license is used for
// (exports, API calls, ...), each with the uses its license allows. The
// counter is the license's, in the order's own stream, so "never above the
// allowed uses" is decided under optimistic concurrency; each activation
// also shows the uses it contributed, which never go below zero (so neither
// does the license's). Deactivating a machine does not give its uses back:
// what was used stays used.
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { BoundedString, Instant, IntFromInput } from '../codecs.js'
import type { MeterAttribute } from './machine.js'

export const MeterName = BoundedString(1, 256, 'a meter attribute name of 1 to 256 characters')
export const AllowedUses = IntFromInput(0)

export const MeterDefinition = t.type({ name: MeterName, allowedUses: AllowedUses })
export type MeterDefinition = t.TypeOf<typeof MeterDefinition>

/** The license's meter attributes, as defined now: the whole list, replacing the last one. */
export const MeterAttributesDefined = t.type({
  type: t.literal('MeterAttributesDefined'),
  data: t.type({ orderId: t.string, attributes: t.readonlyArray(MeterDefinition), at: Instant }),
})

export interface LicenseMeter {
  /** null: not defined (any more); its uses are kept and increments refused. */
  readonly allowedUses: number | null
  readonly uses: number
}

export type LicenseMeters = Readonly<Record<string, LicenseMeter>>

export interface MeterIncrement {
  readonly name: string
  readonly usesIncrement: number
}

export type MeterError =
  | { readonly _tag: 'MeterAttributeNotDefined'; readonly orderId: string; readonly name: string }
  | { readonly _tag: 'MeterUsesBelowZero'; readonly orderId: string; readonly name: string }
  | { readonly _tag: 'MeterUsesAboveAllowed'; readonly orderId: string; readonly name: string; readonly allowedUses: number }

/** A record's own entry only: names come from clients, and `constructor` or `__proto__` must not find Object's. */
export const ownEntry = <V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined =>
  record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined

/**
 * The counters as a record, built from a Map: names come from clients, and an assignment `record[name] = ...`
 * with `__proto__` would set the prototype instead of an entry. Object.fromEntries defines each as its own
 * entry (and the record stays a plain one, as JSON gives it back from a snapshot).
 */
const recordOf = (entries: ReadonlyMap<string, LicenseMeter>): LicenseMeters => Object.fromEntries(entries)

const entriesOf = (meters: LicenseMeters | undefined): Map<string, LicenseMeter> => new Map(Object.entries(meters ?? {}))

/** The counters once these definitions replace the last: a name no longer listed keeps its uses without an allowance. */
export const defineMeters = (meters: LicenseMeters | undefined, attributes: readonly MeterDefinition[]): LicenseMeters => {
  const next = new Map<string, LicenseMeter>()
  for (const [name, meter] of Object.entries(meters ?? {})) next.set(name, { allowedUses: null, uses: meter.uses })
  for (const { name, allowedUses } of attributes) next.set(name, { allowedUses, uses: ownEntry(meters, name)?.uses ?? 0 })
  return recordOf(next)
}

/** Whether these definitions are the ones in force already (same names, same allowances). */
export const sameDefinitions = (meters: LicenseMeters | undefined, attributes: readonly MeterDefinition[]): boolean => {
  const defined = Object.entries(meters ?? {}).filter(([, meter]) => meter.allowedUses !== null)
  const wanted = new Map(attributes.map((a) => [a.name, a.allowedUses]))
  return defined.length === wanted.size && defined.every(([name, meter]) => wanted.get(name) === meter.allowedUses)
}

/** The license's counters after one activation's uses went from `before` to `after` (the difference is what it used). */
export const moveUses = (
  meters: LicenseMeters | undefined,
  before: readonly MeterAttribute[],
  after: readonly MeterAttribute[],
): LicenseMeters | undefined => {
  const delta = new Map<string, number>()
  for (const { name, uses } of after) delta.set(name, (delta.get(name) ?? 0) + uses)
  for (const { name, uses } of before) delta.set(name, (delta.get(name) ?? 0) - uses)
  const moved = [...delta].filter(([, by]) => by !== 0)
  if (moved.length === 0) return meters
  const next = entriesOf(meters)
  for (const [name, by] of moved) {
    const meter = ownEntry(meters, name)
    next.set(name, { allowedUses: meter?.allowedUses ?? null, uses: (meter?.uses ?? 0) + by })
  }
  return recordOf(next)
}

/**
 * An activation's uses after these increments, all of them or none: each
 * names a meter the license defines, the activation's uses stay at or above
 * zero and the license's at or below what it allows, after every step.
 */
export const incrementUses = (
  orderId: string,
  meters: LicenseMeters | undefined,
  activationUses: readonly MeterAttribute[],
  increments: readonly MeterIncrement[],
): E.Either<MeterError, readonly MeterAttribute[]> => {
  const own = activationUses.map((m) => ({ ...m }))
  const license = new Map<string, number>()
  for (const { name, usesIncrement } of increments) {
    const meter = ownEntry(meters, name)
    if (meter === undefined || meter.allowedUses === null) return E.left({ _tag: 'MeterAttributeNotDefined', orderId, name })
    const index = own.findIndex((m) => m.name === name)
    const uses = (index < 0 ? 0 : own[index]!.uses) + usesIncrement
    if (uses < 0) return E.left({ _tag: 'MeterUsesBelowZero', orderId, name })
    const total = (license.get(name) ?? meter.uses) + usesIncrement
    // A decrease is always allowed: a license whose allowance was lowered below its uses can come back within it.
    if (usesIncrement > 0 && total > meter.allowedUses) return E.left({ _tag: 'MeterUsesAboveAllowed', orderId, name, allowedUses: meter.allowedUses })
    license.set(name, total)
    if (index < 0) own.push({ name, uses })
    else own[index] = { name, uses }
  }
  return E.right(own)
}
