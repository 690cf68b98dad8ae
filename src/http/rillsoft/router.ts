// Seed 000 (RillSoft Integration Server v2):
//   PATCH /api/v2/clients/{client_id}/license  change a client's license serial number and/or activation key
// A client is a customer (client_id is the customer's id); the client's
// license is the customer's first license order (the oldest one). Both body
// fields are optional, but at least one must be given; the two changes are
// one atomic change of the order.
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { pipe } from 'fp-ts/function'
import * as RNEA from 'fp-ts/ReadonlyNonEmptyArray'
import * as t from 'io-ts'
import { Router } from 'express'
import { authorize, liveLicense } from '../../application/access.js'
import { ChangeActivationKey, ChangeSerialNumber } from '../../domain/order/index.js'
import { calls, metaOf } from '../call.js'
import { bearerToken } from '../credentials.js'
import { decodeExactIn } from '../decode.js'
import type { HttpDeps } from '../deps.js'
import { credentialsFirst } from '../credentials-first.js'
import { jsonBody } from '../json-body.js'
import { rillsoftDialect as dialect, rillsoftSuccess } from './dialect.js'
import { rillsoftFailure } from './failures.js'

/** Either or both of the changes, each decoded with its command's own codec. */
export const LicenseChange = t.partial({ serialNumber: ChangeSerialNumber.props.serialNumber, activationKey: ChangeActivationKey.props.activationKey })

const CLIENT_ID = /^[1-9]\d{0,14}$/

type IdentityCommand = ChangeSerialNumber | ChangeActivationKey
type Change = Omit<ChangeSerialNumber, 'orderId'> | Omit<ChangeActivationKey, 'orderId'>

/** The changes sent, as commands less the order (found later), serial number first: one atomic change of the order. */
const changesOf = ({ serialNumber, activationKey }: t.TypeOf<typeof LicenseChange>) =>
  RNEA.fromReadonlyArray<Change>([
    ...(serialNumber === undefined ? [] : [{ type: 'ChangeSerialNumber' as const, serialNumber }]),
    ...(activationKey === undefined ? [] : [{ type: 'ChangeActivationKey' as const, activationKey }]),
  ])

export const createRillsoftRouter = ({ services, reads, idempotency, rateLimits }: HttpDeps): Router => {
  const router = Router()
  const decode = decodeExactIn(dialect)
  const call = calls({ services, idempotency }, { dialect, credential: bearerToken, failure: rillsoftFailure, limit: rateLimits?.rillsoft ?? null })

  router.patch(
    '/api/v2/clients/:client_id/license',
    // The token is checked before the body is read: a bad token with a malformed body is a 401.
    credentialsFirst({ services }, { credential: bearerToken, failure: rillsoftFailure }),
    jsonBody(dialect),
    call.write(async (c) => {
      const clientIdText = String(c.req.params.client_id)
      if (!CLIENT_ID.test(clientIdText)) {
        return dialect.problem(400, { fields: [{ field: 'client_id', message: 'must be a positive integer' }] })
      }
      const change = decode(LicenseChange, c.req.body ?? {})
      if (E.isLeft(change)) return change.left
      const changes = changesOf(change.right)
      if (O.isNone(changes)) return dialect.problem(400, { fields: [{ field: 'body', message: 'must contain serialNumber, activationKey or both' }] })

      const clientId = Number(clientIdText)
      await reads.fresh()
      if ((await services.customers.get(c.session, clientId)) === null) return dialect.problem(404, { detail: `Client ${clientId} was not found` })
      const [orderId] = reads.licenseOrders.orderIdsOfCustomer(clientId)
      const order = orderId === undefined ? null : await services.orders.get(c.session, orderId)
      if (order === null) return dialect.problem(404, { detail: `Client ${clientId} has no license` })
      // A client outside the key's reach is one this key cannot see: the same 404 as a client that does not exist.
      const reached = authorize(c.principal, await liveLicense(c.session, order))
      if (E.isLeft(reached)) return dialect.problem(404, { detail: `Client ${clientId} was not found` })

      const commands = pipe(
        changes.value,
        RNEA.map((one): IdentityCommand => ({ ...one, orderId: order.orderId }) as IdentityCommand),
      )
      const changed = await services.orders.changeIdentity(c.session, commands, metaOf(c))
      return E.isLeft(changed) ? rillsoftFailure(changed.left) : rillsoftSuccess
    }),
  )

  return router
}
