// The query parameters of the audit queries, read into one value or every
// problem with them (each naming its parameter); the API that reads them
// renders the problems in its own dialect.
import * as E from 'fp-ts/Either'
import type { Request } from 'express'
import { domainSchemas } from '../domain/events.js'
import type { FieldError } from '../domain/validation.js'
import { positionFromString, type Position } from '../store/port.js'

export interface AuditParams {
  /** An activation key (current or past) or an order id. */
  readonly license: string | null
  readonly customerId: number | null
  readonly productId: string | null
  readonly types: readonly string[]
  readonly actor: string | null
  readonly from: string | null
  readonly to: string | null
  readonly order: 'asc' | 'desc'
  /** null: no limit (exports only). */
  readonly limit: number | null
  readonly cursor: Position | null
}

export type AuditParam = 'license' | 'customer_id' | 'product_id' | 'type' | 'actor' | 'from' | 'to' | 'order' | 'limit' | 'cursor'

export interface AuditParamRules {
  /** The parameters this endpoint takes; any other is refused. */
  readonly accepted: readonly AuditParam[]
  /** Used when `limit` is not given; null: everything. */
  readonly defaultLimit: number | null
  readonly maxLimit: number
}

// A date, a time and a zone: an instant, not a local time whose meaning depends on the server.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i

/** Date.parse rolls 2026-02-30 over into March; a calendar date that does not exist is refused instead. */
const dateExists = (year: number, month: number, day: number): boolean => {
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/**
 * An ISO 8601 instant (`2026-11-22T10:00:00Z`, `2026-11-22T11:00:00+01:00`),
 * or null. A `+` sent unencoded in a query string arrives as a space; it is
 * read as the `+` it was.
 */
export const parseInstant = (text: string): Date | null => {
  const candidate = text.trim().replace(/ (\d{2}:?\d{2})$/, '+$1')
  const match = INSTANT.exec(candidate)
  if (match === null || !dateExists(Number(match[1]), Number(match[2]), Number(match[3]))) return null
  const time = Date.parse(candidate)
  return Number.isNaN(time) ? null : new Date(time)
}

export const INSTANT_MESSAGE = 'must be an ISO 8601 instant with a time zone, e.g. 2026-11-22T10:00:00Z'

const KNOWN_TYPES = new Set(Object.keys(domainSchemas.versions))
const CUSTOMER_ID = /^[1-9]\d{0,14}$/
const LIMIT = /^\d{1,9}$/

/** A page of the audit log: 100 entries unless asked otherwise, 1000 at most. */
export const AUDIT_PAGE = { defaultLimit: 100, maxLimit: 1000 } as const

export const parseAuditParams = (query: Request['query'], rules: AuditParamRules): E.Either<readonly FieldError[], AuditParams> => {
  const errors: FieldError[] = []
  const fail = (field: string, message: string): null => {
    errors.push({ field, message })
    return null
  }
  for (const name of Object.keys(query)) {
    if (!(rules.accepted as readonly string[]).includes(name)) fail(name, `is not a parameter of this endpoint (it takes ${rules.accepted.join(', ')})`)
  }
  const values = (name: AuditParam): readonly unknown[] => {
    const raw = query[name]
    return raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
  }
  /** A parameter given at most once, as text. */
  const single = (name: AuditParam): string | null => {
    const given = values(name)
    if (given.length === 0) return null
    if (given.length > 1) return fail(name, 'must be given at most once')
    const [value] = given
    if (typeof value !== 'string' || value.trim() === '') return fail(name, 'must not be empty')
    return value.trim()
  }

  const license = single('license')
  const customerText = single('customer_id')
  const customerId = customerText === null ? null : CUSTOMER_ID.test(customerText) ? Number(customerText) : fail('customer_id', 'must be a positive integer')
  const productId = single('product_id')
  if (productId !== null && productId.length > 64) fail('product_id', 'must have at most 64 characters')

  const types: string[] = []
  for (const value of values('type')) {
    for (const type of typeof value === 'string' ? value.split(',').map((t) => t.trim()) : [undefined]) {
      if (type !== undefined && KNOWN_TYPES.has(type)) types.push(type)
      else fail('type', `must be event types of the log, e.g. OrderUpdated (got ${JSON.stringify(type ?? value)})`)
    }
  }

  const actor = single('actor')
  const instant = (name: 'from' | 'to'): string | null => {
    const text = single(name)
    if (text === null) return null
    const at = parseInstant(text)
    return at === null ? fail(name, INSTANT_MESSAGE) : at.toISOString()
  }
  const from = instant('from')
  const to = instant('to')

  const orderText = single('order')
  const order = orderText === null || orderText === 'desc' ? 'desc' : orderText === 'asc' ? 'asc' : (fail('order', 'must be asc or desc'), 'desc')

  const limitText = single('limit')
  let limit = rules.defaultLimit
  if (limitText !== null) {
    const n = LIMIT.test(limitText) ? Number(limitText) : 0
    if (n < 1 || n > rules.maxLimit) fail('limit', `must be an integer from 1 to ${rules.maxLimit}`)
    else limit = n
  }

  const cursorText = single('cursor')
  const cursor = cursorText === null ? null : (positionFromString(cursorText) ?? fail('cursor', 'must be a next_cursor this API returned'))

  if (errors.length > 0) return E.left(errors)
  return E.right({ license, customerId, productId, types, actor, from, to, order, limit, cursor })
}
