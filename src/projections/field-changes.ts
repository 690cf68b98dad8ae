// The field-level difference between two states of a record, flattened to
// the paths a person reads (`terms.activations_allowed`,
// `terms.Features[0].count`, `activationKey`). Generic over the shape, so a
// field the record gains later (an e-mail, license data) is covered without
// code here.
import type { JsonValue } from '../store/port.js'

export interface FieldChange {
  readonly field: string
  /** null: the field had no value (absent or null). */
  readonly old: JsonValue
  readonly new: JsonValue
}

type Json = JsonValue | undefined

const isRecord = (value: Json): value is { readonly [key: string]: JsonValue } =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const childPath = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`

// Absent and null both mean "no value": going from one to the other is no change.
const valueOf = (value: Json): JsonValue => value ?? null

const same = (a: Json, b: Json): boolean => JSON.stringify(valueOf(a)) === JSON.stringify(valueOf(b))

/**
 * Objects are compared key by key and arrays index by index, down to the
 * leaves; where one side has no container at all (a feature added or
 * removed), the whole value is one change.
 */
export const fieldChanges = (before: Json, after: Json, path = ''): readonly FieldChange[] => {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    return keys.flatMap((key) => fieldChanges(before[key], after[key], childPath(path, key)))
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length)
    return Array.from({ length }, (_, i) => i).flatMap((i) => fieldChanges(before[i], after[i], childPath(path, i)))
  }
  return same(before, after) ? [] : [{ field: path, old: valueOf(before), new: valueOf(after) }]
}

/** A record without the fields named: bookkeeping that every change moves, or what is not the record itself. */
export const without = (record: object, fields: readonly string[]): JsonValue =>
  Object.fromEntries(Object.entries(record).filter(([key]) => !fields.includes(key))) as JsonValue
