import * as E from 'fp-ts/Either'
import type { Request } from 'express'
import type { Reply } from '../reply.js'
import { adminDialect } from './dialect.js'

export interface Page {
  readonly limit: number
  readonly offset: number
}

const int = (value: unknown, fallback: number): number | null => {
  if (value === undefined) return fallback
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : null
}

/** ?limit (1-500, default 100) and ?offset (default 0). */
export const pageOf = (req: Request): E.Either<Reply, Page> => {
  const limit = int(req.query.limit, 100)
  const offset = int(req.query.offset, 0)
  if (limit === null || limit < 1 || limit > 500) {
    return E.left(adminDialect.problem(400, { fields: [{ field: 'limit', message: 'must be an integer from 1 to 500' }] }))
  }
  if (offset === null) return E.left(adminDialect.problem(400, { fields: [{ field: 'offset', message: 'must be a non-negative integer' }] }))
  return E.right({ limit, offset })
}
