// Admin endpoints take the admin token or an admin-scoped API key, as Bearer.
import * as E from 'fp-ts/Either'
import type { Request } from 'express'
import type { Credentials, Principal } from '../../application/credentials.js'
import { isAdmin } from '../../domain/api-key/access.js'
import { bearerToken } from '../credentials.js'
import { authFailureDetail } from '../failures.js'
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
