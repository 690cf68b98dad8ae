// Every failure in the admin API's dialect: the shared meanings
// (../failures.ts) as {"error"}; a credential that may not reach a license is
// told so, one that is not an admin's that the endpoint needs one.
import { ADMIN_ONLY } from '../../application/access.js'
import { failureMap } from '../failures.js'
import { adminDialect as dialect } from './dialect.js'

export const adminFailure = failureMap(dialect, {
  Forbidden: ({ target }) =>
    dialect.problem(403, {
      detail: target.orderId === ADMIN_ONLY.orderId && target.productId === ADMIN_ONLY.productId ? 'This endpoint needs an admin credential.' : 'This credential may not read this license.',
    }),
  UnknownActivationKey: () => dialect.problem(404, { detail: 'no license order has this activation key' }),
})
