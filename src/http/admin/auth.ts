// The admin API's endpoints. Admin resources take the admin token or an
// admin-scoped API key, as Bearer (`admin`); the reports and the audit log
// take any credential and judge what it may read (`anyCredential`). A write
// runs once per Idempotency-Key.
import { ADMIN_ONLY, authorize } from '../../application/access.js'
import { calls } from '../call.js'
import { bearerToken } from '../credentials.js'
import type { HttpDeps } from '../deps.js'
import { adminDialect as dialect } from './dialect.js'
import { adminFailure as failure } from './failures.js'

export const adminEndpoints = (deps: Pick<HttpDeps, 'services' | 'idempotency'>) =>
  calls(deps, { dialect, credential: bearerToken, failure, allowed: (principal) => authorize(principal, ADMIN_ONLY) })

export const anyCredential = (deps: Pick<HttpDeps, 'services' | 'idempotency'>) => calls(deps, { dialect, credential: bearerToken, failure })
