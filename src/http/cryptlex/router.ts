// Seed 003 (Cryptlex Web API v3, activations):
//   POST   /v3/activations       activate a license `key` on a machine `fingerprint`; 201 {activationToken}
//                                (200 with the same activation when the machine is activated already)
//   GET    /v3/activations/{id}  the activation, shaped as the seed's webhook data
//   PATCH  /v3/activations/{id}  update it (the machine syncs); 200 {activationToken}
//   DELETE /v3/activations/{id}  deactivate it, within deactivations_allowed; 204
// An activation here is seed 002's node-locked activation: a machine bound
// to a license order, counted against its activations_allowed. Its machine
// id is the fingerprint and its client id the license's product id, so both
// APIs see one set of activations. Authentication: Authorization: Bearer
// with an API key (or the admin token); a key scoped to a product or a
// license reaches that product's or that license's activations only (403).
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { Router } from 'express'
import { authorize, liveLicense, type License } from '../../application/access.js'
import { ownEntry, type ActivateMachineWithDetails, type Activation } from '../../domain/order/index.js'
import { fieldErrors } from '../../domain/validation.js'
import { activationView } from '../../views/activation.js'
import { calls, metaOf, type Call } from '../call.js'
import { bearerToken } from '../credentials.js'
import type { HttpDeps } from '../deps.js'
import { jsonBody } from '../json-body.js'
import { reply, type Reply } from '../reply.js'
import { clientIpOf } from '../request-context.js'
import { cryptlexDialect as dialect, cryptlexProblem, invalid } from './dialect.js'
import { cryptlexFailure } from './failures.js'
import { ActivationBody, changesOf } from './request.js'

/** Room for a 1024-character fingerprint and a good many metadata entries of up to 4096 characters. */
export const CRYPTLEX_BODY_LIMIT = '256kb'

const decode = (body: unknown): E.Either<Reply, ActivationBody> => {
  const given = body === undefined ? {} : body
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return E.left(invalid([{ field: 'body', message: 'must be an object' }]))
  return pipe(
    ActivationBody.decode(given),
    E.mapLeft((errors) => invalid(fieldErrors(errors))),
  )
}

const activationNotFound = (): Reply => cryptlexProblem(404, 'ACTIVATION_NOT_FOUND', 'No activation has this id.')

/** The license's product, which the request must name as its productId. */
const productNamed = (input: ActivationBody, license: License): E.Either<Reply, string> =>
  license.productId !== null && input.productId === license.productId
    ? E.right(license.productId)
    : E.left(cryptlexProblem(400, 'PRODUCT_MISMATCH', 'productId is not the product of this license.', [{ field: 'productId', message: 'is not the product of this license' }]))

const meterNames = (input: ActivationBody): string[] => (input.meterAttributes ?? []).map((m) => m.name)

export const createCryptlexRouter = ({ services, reads, idempotency }: HttpDeps): Router => {
  const router = Router()
  const body = jsonBody(dialect, { limit: CRYPTLEX_BODY_LIMIT })
  const { usage } = services

  /** The activation an id names (read-your-writes), on a license the principal may act on. */
  const activationById = async ({ session, principal }: Call, id: string): Promise<E.Either<Reply, { license: License; activation: Activation }>> => {
    await reads.fresh()
    const orderId = reads.activations.orderOf(id)
    const order = orderId === null ? null : reads.licenseOrders.get(orderId)
    if (order === null) return E.left(activationNotFound())
    const license = authorize(principal, await liveLicense(session, order))
    if (E.isLeft(license)) return E.left(cryptlexFailure(license.left))
    const activation = ownEntry(order.usage.activations, id)
    return activation === undefined ? E.left(activationNotFound()) : E.right({ license: license.right, activation })
  }

  const call = calls({ services, idempotency }, { dialect, credential: bearerToken, failure: cryptlexFailure })

  /** An operation on the activation the path's id names. */
  const onActivation = (kind: 'read' | 'write', work: (c: Call, found: { license: License; activation: Activation }) => Promise<Reply>) =>
    call[kind](async (c) => {
      const found = await activationById(c, String(c.req.params.id))
      return E.isLeft(found) ? found.left : work(c, found.right)
    })

  /** A write whose body is the seed's activation, decoded first. */
  const withActivation = (work: (c: Call, input: ActivationBody) => Promise<Reply>) =>
    call.write(async (c) => {
      const input = decode(c.req.body)
      return E.isLeft(input) ? input.left : work(c, input.right)
    })

  router.post(
    '/v3/activations',
    body,
    withActivation(async (c, input) => {
      const license = await services.orders.reach(c.session, c.principal, input.key)
      if (E.isLeft(license)) return cryptlexFailure(license.left)
      const productId = productNamed(input, license.right)
      if (E.isLeft(productId)) return productId.left
      const command: ActivateMachineWithDetails = {
        type: 'ActivateMachineWithDetails',
        orderId: license.right.orderId,
        // The machine is its fingerprint; the client, the licensed product: seed 002 sees the same activation.
        clientId: productId.right,
        machineId: input.fingerprint,
        clientName: input.hostname.slice(0, 256),
        clientAddr: clientIpOf(c.req)?.slice(0, 64) ?? null,
        changes: changesOf(input),
      }
      const outcome = await usage.activateWithDetails(c.session, command, metaOf(c))
      if (E.isLeft(outcome)) return cryptlexFailure(outcome.left, meterNames(input))
      const { order: after, activation, now, created } = outcome.right
      const activationToken = await usage.activationToken(after, activation, now)
      return created
        ? reply(201, { activationToken }, { Location: `/v3/activations/${activation.activationId}` })
        : reply(200, { activationToken })
    }),
  )

  router.get(
    '/v3/activations/:id',
    onActivation('read', async (_c, { license, activation }) => reply(200, activationView(license.order, activation, license.productId, services.clock()))),
  )

  router.patch(
    '/v3/activations/:id',
    body,
    withActivation(async (c, input) => {
      const found = await activationById(c, String(c.req.params.id))
      if (E.isLeft(found)) return found.left
      const { license, activation } = found.right
      if (input.key !== license.order.activationKey) {
        return cryptlexProblem(400, 'LICENSE_KEY_MISMATCH', "key is not the key of this activation's license.", [
          { field: 'key', message: "is not the key of this activation's license" },
        ])
      }
      const productId = productNamed(input, license)
      if (E.isLeft(productId)) return productId.left
      const { activationId } = activation
      const outcome = await usage.updateActivation(c.session, { type: 'UpdateActivation', orderId: license.orderId, activationId, changes: changesOf(input) }, metaOf(c))
      if (E.isLeft(outcome)) return cryptlexFailure(outcome.left, meterNames(input))
      const { order: after, now } = outcome.right
      const updated = ownEntry(after.usage.activations, activationId)
      if (updated === undefined) return activationNotFound()
      return reply(200, { activationToken: await usage.activationToken(after, updated, now) })
    }),
  )

  router.delete(
    '/v3/activations/:id',
    onActivation('write', async (c, { license, activation }) => {
      const outcome = await usage.deactivate(c.session, { type: 'DeactivateMachine', orderId: license.orderId, activation: { activationId: activation.activationId } }, metaOf(c))
      return E.isLeft(outcome) ? cryptlexFailure(outcome.left) : reply(204)
    }),
  )

  return router
}
