// License orders in seed 001's dialect (X-Formation LAC):
//   PATCH /license-orders/{activation_key}  update an order, exactly as the seed documents
//   POST  /license-orders                   create one (same body and rules, plus an optional activation_key)
//   GET   /license-orders/{activation_key}  read one (?asOf=<instant>: as it was then)
//   GET   /license-orders/{activation_key}/history  its events (history.ts)
// Authorization: Bearer <API key or admin token>; a missing, invalid, revoked
// or expired token is 403, as the seed documents.
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { Router, type Request } from 'express'
import { authorize, licenseOf } from '../../application/access.js'
import type { Session } from '../../application/session.js'
import { CreateOrder, OrderTerms, UpdateOrder, type ExistingOrder } from '../../domain/order/index.js'
import { licenseOrderView } from '../../views/license-order.js'
import { decodeIn } from '../decode.js'
import { metaOf } from '../call.js'
import type { HttpDeps } from '../deps.js'
import { credentialsFirst } from '../credentials-first.js'
import { bearerToken } from '../credentials.js'
import { jsonBody } from '../json-body.js'
import { reply } from '../reply.js'
import { lacCalls } from './access.js'
import { lacDialect as dialect } from './dialect.js'
import { lacFailure } from './failures.js'
import { createLacHistory } from './history.js'

/** The body of a PATCH: the order's new terms, decoded with UpdateOrder's own codec for them. */
export const UpdateBody = UpdateOrder.props.terms
/** The body of a POST: CreateOrder's terms, and the key the vendor may choose. */
const ActivationKeyChoice = t.partial({ activation_key: CreateOrder.props.activationKey })
export const CreateBody = t.intersection([CreateOrder.props.terms, ActivationKeyChoice])
const StoredTerms = t.exact(OrderTerms)

// Seed 001's service (Django REST framework) ignores members it does not declare: they are dropped, never stored.
const decode = decodeIn(dialect)

export const createLacRouter = (deps: HttpDeps): Router => {
  const { services, reads } = deps
  const { orders } = services
  const router = Router()
  const call = lacCalls(deps)
  const history = createLacHistory(deps)
  // The token is checked before the body is read: a bad token with a malformed body is a 403, as the seed's stack answers.
  const body = [credentialsFirst(deps, { credential: bearerToken, failure: lacFailure }), jsonBody(dialect)]

  const keyOf = (req: Request): string => String(req.params.activation_key)

  /** The order as the seed shows it, with the customer and template this request read: the reply shows the write. */
  const present = async (session: Session, order: ExistingOrder) => {
    const { customer, template } = await orders.withRelations(session, order)
    return licenseOrderView(order, customer, template)
  }

  router.patch(
    '/license-orders/:activation_key',
    body,
    call.write(async (c) => {
      const license = await orders.reach(c.session, c.principal, keyOf(c.req))
      if (E.isLeft(license)) return lacFailure(license.left)
      const terms = decode(UpdateBody, c.req.body ?? {})
      if (E.isLeft(terms)) return terms.left
      const command: UpdateOrder = { type: 'UpdateOrder', orderId: license.right.orderId, terms: terms.right }
      const updated = await orders.update(c.session, c.principal, command, metaOf(c))
      return E.isLeft(updated) ? lacFailure(updated.left) : reply(200, await present(c.session, updated.right))
    }),
  )

  router.post(
    '/license-orders',
    body,
    call.write(async (c) => {
      const input = decode(CreateBody, c.req.body ?? {})
      if (E.isLeft(input)) return input.left
      // The terms as OrderTermsInput rebuilt them (an intersection merges the body's own members back in).
      const terms = StoredTerms.encode(input.right)
      const created = await orders.create(c.session, c.principal, { terms, activationKey: input.right.activation_key ?? null }, metaOf(c))
      if (E.isLeft(created)) return lacFailure(created.left)
      return reply(201, await present(c.session, created.right), { Location: `/license-orders/${encodeURIComponent(created.right.activationKey)}` })
    }),
  )

  router.get(
    '/license-orders/:activation_key',
    call.read(async ({ req, principal }) => {
      if (req.query.asOf !== undefined) return history.asOf(principal, keyOf(req), req.query.asOf)
      await reads.fresh()
      const order = reads.licenseOrders.byActivationKey(keyOf(req))
      if (order === null) return dialect.problem(404)
      const template = reads.productTemplates.get(order.terms.product_template_id)
      const reached = authorize(principal, licenseOf(order, template))
      return E.isLeft(reached) ? lacFailure(reached.left) : reply(200, licenseOrderView(order, reads.customers.get(order.terms.customer_id), template))
    }),
  )

  router.get(
    '/license-orders/:activation_key/history',
    call.read(async ({ req, principal }) => history.history(req, principal)),
  )

  return router
}
