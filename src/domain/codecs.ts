// Codecs shared by the aggregates' commands and events: bounded strings,
// integers that may arrive as numeric strings, calendar dates, e-mail.
import * as t from 'io-ts'

/** A string of `min`..`max` characters (after trimming for the lower bound). */
export const BoundedString = (min: number, max: number, name = `a string of ${min} to ${max} characters`) =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string' && u.trim().length >= min && u.length <= max,
    (u, c) => {
      if (typeof u !== 'string') return t.failure(u, c, 'must be a string')
      if (u.trim().length < min) return t.failure(u, c, min === 1 ? 'must not be empty' : `must have at least ${min} characters`)
      if (u.length > max) return t.failure(u, c, `must have at most ${max} characters`)
      return t.success(u)
    },
    t.identity,
  )

export const NonEmptyString = BoundedString(1, 255, 'a non-empty string')
export const Text = BoundedString(0, 4096, 'a string of at most 4096 characters')

const INTEGER_TEXT = /^-?\d{1,15}$/

/**
 * An integer within bounds, given as a JSON number or as a numeric string
 * (seed 001 documents some integers as strings and sends others as numbers).
 */
export const IntFromInput = (min: number, max: number = Number.MAX_SAFE_INTEGER) =>
  new t.Type<number, number, unknown>(
    max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, c) => {
      const n = typeof u === 'number' ? u : typeof u === 'string' && INTEGER_TEXT.test(u.trim()) ? Number(u.trim()) : NaN
      if (!Number.isSafeInteger(n)) return t.failure(u, c, 'must be an integer')
      if (n < min) return t.failure(u, c, `must be at least ${min}`)
      if (n > max) return t.failure(u, c, `must be at most ${max}`)
      return t.success(n)
    },
    t.identity,
  )

export const NonNegativeInt = IntFromInput(0)
export const PositiveInt = IntFromInput(1)

/** A JSON boolean; strings such as "true" are refused so a typo cannot flip a licence on. */
export const Bool = new t.Type<boolean, boolean, unknown>(
  'a boolean',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => (typeof u === 'boolean' ? t.success(u) : t.failure(u, c, 'must be true or false')),
  t.identity,
)

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** A calendar date, YYYY-MM-DD, that exists (no 2021-02-30). */
export const CalendarDate = new t.Type<string, string, unknown>(
  'a date (YYYY-MM-DD)',
  (u): u is string => typeof u === 'string' && DATE.test(u),
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'must be a date (YYYY-MM-DD)')
    const match = DATE.exec(u)
    if (match === null) return t.failure(u, c, 'must be a date (YYYY-MM-DD)')
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
    const date = new Date(Date.UTC(year, month - 1, day))
    const exists = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    return exists ? t.success(u) : t.failure(u, c, 'is not a valid calendar date')
  },
  t.identity,
)

const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/

export const Email = new t.Type<string, string, unknown>(
  'an e-mail address',
  (u): u is string => typeof u === 'string' && EMAIL.test(u) && u.length <= 254,
  (u, c) =>
    typeof u === 'string' && u.length <= 254 && EMAIL.test(u) ? t.success(u) : t.failure(u, c, 'must be an e-mail address'),
  t.identity,
)

/** An ISO 8601 instant as written in events (`2026-11-22T10:00:00.000Z`). */
export const Instant = new t.Type<string, string, unknown>(
  'an ISO 8601 instant',
  (u): u is string => typeof u === 'string' && !Number.isNaN(Date.parse(u)),
  (u, c) => (typeof u === 'string' && !Number.isNaN(Date.parse(u)) ? t.success(u) : t.failure(u, c, 'must be an ISO 8601 instant')),
  t.identity,
)

export const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null])

/** The values of a string enum, with a message that lists them. */
export const oneOf = <K extends string>(...values: readonly [K, ...K[]]) =>
  new t.Type<K, K, unknown>(
    values.join(' | '),
    (u): u is K => typeof u === 'string' && (values as readonly string[]).includes(u),
    (u, c) =>
      typeof u === 'string' && (values as readonly string[]).includes(u)
        ? t.success(u as K)
        : t.failure(u, c, `must be one of: ${values.join(', ')}`),
    t.identity,
  )

/**
 * A JSON integer within int64 bounds, as far as a double can tell: the
 * largest int64 (2^63 - 1) parses as 2^63, which seed 003 writes as
 * 9223372036854776000. Integers beyond 2^53 keep a double's precision.
 */
export const Int64 = (min: number = -(2 ** 63), max: number = 2 ** 63) =>
  new t.Type<number, number, unknown>(
    `an integer from ${min} (int64)`,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, c) => {
      if (typeof u !== 'number' || !Number.isInteger(u)) return t.failure(u, c, 'must be an integer')
      if (u < min) return t.failure(u, c, `must be at least ${min}`)
      if (u > max) return t.failure(u, c, 'must be at most 9223372036854775807 (int64)')
      return t.success(u)
    },
    t.identity,
  )
