// Admin endpoints take the admin token or an admin-scoped API key, as Bearer.
// `adminEndpoints` wraps a handler so it runs only for an admin credential
// and, for writes, once per Idempotency-Key.
import * as E from 'fp-ts/Either'
import type { Request, RequestHandler } from 'express'
import type { Credentials, Principal } from '../../application/credentials.js'
import { isAdmin } from '../../domain/api-key/access.js'
import { bearerToken } from '../credentials.js'
import { endpoint } from '../endpoint.js'
import { authFailureDetail } from '../failures.js'
import type { Idempotency, IdempotentOptions } from '../idempotency.js'
import type { Reply } from '../reply.js'
import { adminDialect } from './dialect.js'

export const requireAdmin = async (credentials: Credentials, req: Request): Promise<E.Either<Reply, Principal>> => {
  const principal = await credentials.authenticate(bearerToken(req))
  if (E.isLeft(principal)) {
    return E.left(adminDialect.problem(401, { detail: `Authentication failed: ${authFailureDetail(principal.left)}.` }))
  }
  if (!isAdmin(principal.right.scope)) return E.left(adminDialect.problem(403, { detail: 'This endpoint needs an admin credential.' }))
  return principal
}

export const adminEndpoints = (credentials: Credentials, idempotency: Idempotency) => ({
  read: (handler: (req: Request, admin: Principal) => Promise<Reply>): RequestHandler =>
    endpoint(adminDialect, async (req) => {
      const admin = await requireAdmin(credentials, req)
      return E.isLeft(admin) ? admin.left : handler(req, admin.right)
    }),
  /** The handler gets the Idempotency-Key to record in its events' metadata. */
  write: (
    handler: (req: Request, admin: Principal, idempotencyKey: string | null) => Promise<Reply>,
    options?: IdempotentOptions,
  ): RequestHandler =>
    endpoint(adminDialect, async (req) => {
      const admin = await requireAdmin(credentials, req)
      if (E.isLeft(admin)) return admin.left
      return idempotency.run(req, adminDialect, (idempotencyKey) => handler(req, admin.right, idempotencyKey), options)
    }),
})
