// The engine's own list of license orders and who holds one now, beside seed
// 001's endpoints (same dialect, Bearer token, scoping); the console reads them:
//   GET /license-orders?q=&limit=&offset=          a page of the licenses the token reaches, newest first
//   GET /license-orders/{activation_key}/holders   its activations and the seats held now
import * as E from 'fp-ts/Either'
import { Router } from 'express'
import { activationsOf, isExpired, liveSeats, limitOf, type ExistingOrder } from '../../domain/order/index.js'
import type { LicenseListed } from '../../projections/license-orders.js'
import type { HttpDeps } from '../deps.js'
import { reply } from '../reply.js'
import { lacCalls } from './access.js'
import { lacDialect as dialect } from './dialect.js'
import { lacFailure } from './failures.js'
import { usedAt } from './history.js'

const MAX_LIMIT = 100
const DEFAULT_LIMIT = 25
const MAX_TEXT = 200

/** What a license's list row says it is now: disabled, expired, or active. */
export const licenseStateOf = (order: ExistingOrder, now: Date): 'active' | 'disabled' | 'expired' =>
  !order.terms.enabled ? 'disabled' : isExpired(order, now) ? 'expired' : 'active'

const listed = ({ order, customerName, templateName, productId }: LicenseListed, now: Date) => {
  const activations = activationsOf(order.usage).length
  const seats = liveSeats(order.usage, now).length
  return {
    order_id: order.orderId,
    activation_key: order.activationKey,
    customer: { id: order.terms.customer_id, name: customerName },
    product_template: { id: order.terms.product_template_id, name: templateName, product_id: productId },
    license_type: order.terms.license_type,
    in_use: activations + seats,
    activations,
    seats,
    allowed: limitOf(order),
    state: licenseStateOf(order, now),
    creation_time: order.createdAt,
  }
}

const whole = (value: unknown, fallback: number): number | null => {
  if (value === undefined) return fallback
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : null
}

export const createLicenseListRouter = (deps: HttpDeps): Router => {
  const { services, reads } = deps
  const router = Router()
  const call = lacCalls(deps)

  router.get(
    '/license-orders',
    call.read(async ({ req, principal }) => {
      const fields: { field: string; message: string }[] = []
      const q = req.query.q
      if (q !== undefined && (typeof q !== 'string' || q.length > MAX_TEXT)) fields.push({ field: 'q', message: `must be one text of at most ${MAX_TEXT} characters` })
      const limit = whole(req.query.limit, DEFAULT_LIMIT)
      if (limit === null || limit < 1 || limit > MAX_LIMIT) fields.push({ field: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` })
      const offset = whole(req.query.offset, 0)
      if (offset === null) fields.push({ field: 'offset', message: 'must be a non-negative integer' })
      const unknown = Object.keys(req.query).filter((name) => !['q', 'limit', 'offset'].includes(name))
      for (const name of unknown) fields.push({ field: name, message: 'is not a parameter of this endpoint' })
      if (fields.length > 0) return dialect.problem(400, { fields })
      await reads.fresh()
      const text = typeof q === 'string' && q.trim() !== '' ? q.trim() : null
      const found = reads.licenseOrders.search({ text, scope: principal.scope, limit: limit!, offset: offset! })
      const now = services.clock()
      return reply(200, { now: now.toISOString(), total: found.total, limit, offset, items: found.items.map((item) => listed(item, now)) })
    }),
  )

  router.get(
    '/license-orders/:activation_key/holders',
    call.read(async ({ req, session, principal }) => {
      const reached = await services.orders.reach(session, principal, String(req.params.activation_key))
      if (E.isLeft(reached)) return lacFailure(reached.left)
      const now = services.clock()
      const order = await services.usage.live(session, reached.right.order)
      return reply(200, { activation_key: order.activationKey, order_id: order.orderId, allowed: limitOf(order), ...usedAt(order, now) })
    }),
  )

  return router
}
