// "Why was I denied?", beside seed 001's endpoints (same dialect, Bearer
// authentication and scoping):
//   GET /license-orders/{activation_key}/denials               the license's denials, newest first
//   GET /license-orders/{activation_key}/denials/{denial_id}   one, as a refused client was answered with its id
// Each names the rule that refused it, the revision it was decided on, and the
// places held then and by whom, folded from the log (application/denials.ts).
import * as E from 'fp-ts/Either'
import { Router } from 'express'
import type { Denial } from '../../application/denials.js'
import type { HttpDeps } from '../deps.js'
import { reply } from '../reply.js'
import { lacCalls } from './access.js'
import { lacDialect as dialect } from './dialect.js'
import { lacFailure } from './failures.js'

export const denialView = (denial: Denial) => ({
  denial_id: denial.denialId,
  asked: denial.asked,
  at: denial.at,
  client_id: denial.clientId,
  machine_id: denial.machineId,
  client_name: denial.clientName,
  rule: denial.rule,
  places_taken: denial.active,
  places_allowed: denial.limit,
  decided_on_revision: denial.decidedOnRevision,
  revision: denial.revision,
  position: denial.position.toString(),
  held_by: denial.heldBy.map((h) => ({
    kind: h.kind,
    id: h.id,
    client_id: h.clientId,
    machine_id: h.machineId,
    client_name: h.clientName,
    since: h.since,
    lease_expires_at: h.leaseExpiresAt,
  })),
})

export const createDenialsRouter = (deps: HttpDeps): Router => {
  const router = Router()
  const call = lacCalls(deps)
  const { orders, denials } = deps.services

  const denialsOf = async (c: Parameters<Parameters<typeof call.read>[0]>[0]) => {
    const license = await orders.reach(c.session, c.principal, String(c.req.params.activation_key))
    if (E.isLeft(license)) return E.left(lacFailure(license.left))
    return E.right({ orderId: license.right.orderId, denials: await denials.ofOrder(license.right.orderId) })
  }

  router.get(
    '/license-orders/:activation_key/denials',
    call.read(async (c) => {
      const found = await denialsOf(c)
      if (E.isLeft(found)) return found.left
      return reply(200, { order_id: found.right.orderId, items: [...found.right.denials].reverse().map(denialView) })
    }),
  )

  router.get(
    '/license-orders/:activation_key/denials/:denial_id',
    call.read(async (c) => {
      const found = await denialsOf(c)
      if (E.isLeft(found)) return found.left
      const denial = found.right.denials.find((d) => d.denialId === String(c.req.params.denial_id))
      return denial === undefined ? dialect.problem(404, { detail: 'This license has no denial with this id.' }) : reply(200, denialView(denial))
    }),
  )

  return router
}
