// What-if replay of a seat policy (issue 16), in the admin dialect:
//   POST /reports/what-if   {activation_key | product_id, from, to, policy: {seats_allowed?, lease_seconds?, heartbeat_interval_seconds?}}
// The license's recorded seat requests, heartbeats and releases replayed in
// memory under the policy in force and under the proposed one; nothing is
// appended (application/what-if.ts says what it can and cannot know).
// A product's: each of its licenses so replayed, their figures summed and the
// peak taken across them. Admin credentials, or a key scoped to the license's
// product or to the license (a product's: admin, or a key of that product).
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { Router } from 'express'
import type { Outcome, ProductWhatIfReport, SeatPolicy, WhatIfReport } from '../../application/what-if.js'
import { authorize } from '../../application/access.js'
import { Instant, IntFromInput } from '../../domain/codecs.js'
import { HeartbeatIntervalSeconds, LeaseSeconds } from '../../domain/order/index.js'
import { decodeIn } from '../decode.js'
import type { HttpDeps } from '../deps.js'
import { jsonBody } from '../json-body.js'
import { reply } from '../reply.js'
import { anyCredential } from './auth.js'
import { adminDialect as dialect } from './dialect.js'
import { adminFailure } from './failures.js'

export const WhatIfBody = t.intersection([
  t.type({
    from: Instant,
    to: Instant,
    policy: t.partial({ seats_allowed: IntFromInput(0, 1_000_000), lease_seconds: LeaseSeconds, heartbeat_interval_seconds: HeartbeatIntervalSeconds }),
  }),
  // One of the two: a license, or a product (all its licenses).
  t.partial({ activation_key: t.string, product_id: t.string }),
])

const outcomeBody = (o: Outcome) => ({
  requests: o.requests,
  grants: o.grants,
  denials: o.denials,
  peak_concurrency: o.peakConcurrency,
  seat_hours: o.seatHours,
  denied_clients: o.deniedClients.map((d) => ({ client_id: d.clientId, machine_id: d.machineId, at: d.at })),
  heartbeats_without_seat: o.heartbeatsWithoutSeat,
})

const policyBody = (p: WhatIfReport['policy']['recorded']) => ({ seats_allowed: p.seats, lease_seconds: p.leaseSeconds, heartbeat_interval_seconds: p.heartbeatIntervalSeconds })

export const whatIfBody = (report: WhatIfReport, activationKey: string) => ({
  license: { order_id: report.orderId, activation_key: activationKey },
  from: report.period.from,
  to: report.period.to,
  replayed_actions: report.actions,
  policy: { recorded: policyBody(report.policy.recorded), proposed: policyBody(report.policy.proposed) },
  recorded: outcomeBody(report.recorded),
  proposed: outcomeBody(report.proposed),
})

export const productWhatIfBody = (report: ProductWhatIfReport, keys: ReadonlyMap<string, string>) => ({
  product_id: report.productId,
  from: report.period.from,
  to: report.period.to,
  replayed_actions: report.actions,
  recorded: outcomeBody(report.recorded),
  proposed: outcomeBody(report.proposed),
  licenses: report.licenses.map((l) => whatIfBody(l, keys.get(l.orderId) ?? '')),
})

/** A product's licenses are read a page at a time from the read model. */
const PAGE = 500

export const createWhatIfRouter = ({ services, reads, idempotency }: HttpDeps): Router => {
  const router = Router()
  const endpoint = anyCredential({ services, idempotency })
  const decode = decodeIn(dialect)

  router.post(
    '/reports/what-if',
    jsonBody(dialect),
    endpoint.read(async ({ req, session, principal }) => {
      const body = decode(WhatIfBody, req.body ?? {})
      if (E.isLeft(body)) return body.left
      const { activation_key, product_id, from, to, policy } = body.right
      if ((activation_key === undefined) === (product_id === undefined)) {
        return dialect.problem(400, { fields: [{ field: activation_key === undefined ? 'activation_key' : 'product_id', message: 'give either activation_key (a license) or product_id (a product), not both' }] })
      }
      if (Date.parse(from) >= Date.parse(to)) return dialect.problem(400, { fields: [{ field: 'to', message: 'must be after from' }] })
      const period = { from: new Date(from), to: new Date(to) }
      const proposal: SeatPolicy = {
        ...(policy.seats_allowed === undefined ? {} : { seats: policy.seats_allowed }),
        ...(policy.lease_seconds === undefined ? {} : { leaseSeconds: policy.lease_seconds }),
        ...(policy.heartbeat_interval_seconds === undefined ? {} : { heartbeatIntervalSeconds: policy.heartbeat_interval_seconds }),
      }
      if (product_id !== undefined) {
        // A product: admin, or a key scoped to that product (a license key reaches one license, not its product).
        const allowed = authorize(principal, { productId: product_id, orderId: null })
        if (E.isLeft(allowed)) return adminFailure(allowed.left)
        await reads.fresh()
        const keys = new Map<string, string>()
        for (let offset = 0; ; offset += PAGE) {
          const page = reads.licenseOrders.search({ text: null, scope: { kind: 'product', productId: product_id }, limit: PAGE, offset })
          for (const item of page.items) keys.set(item.order.orderId, item.order.activationKey)
          if (page.items.length < PAGE) break
        }
        if (keys.size === 0) return dialect.problem(404, { detail: 'No license of this product.' })
        // Oldest first, as the licenses were created.
        const report = await services.whatIf.runProduct(product_id, [...keys.keys()].reverse(), period, proposal)
        return reply(200, productWhatIfBody(report, keys))
      }
      const license = await services.orders.reach(session, principal, activation_key!)
      if (E.isLeft(license)) return adminFailure(license.left)
      const report = await services.whatIf.run(license.right.orderId, period, proposal)
      return report === null ? dialect.problem(404) : reply(200, whatIfBody(report, license.right.order.activationKey))
    }),
  )
  return router
}
