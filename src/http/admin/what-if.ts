// What-if replay of a seat policy (issue 16), in the admin dialect:
//   POST /reports/what-if   {activation_key, from, to, policy: {seats_allowed?, lease_seconds?, heartbeat_interval_seconds?}}
// The license's recorded seat requests, heartbeats and releases replayed in
// memory under the policy in force and under the proposed one; nothing is
// appended (application/what-if.ts says what it can and cannot know).
// Admin credentials, or a key scoped to the license's product or to the license.
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { Router } from 'express'
import type { Outcome, WhatIfReport } from '../../application/what-if.js'
import { Instant, IntFromInput } from '../../domain/codecs.js'
import { HeartbeatIntervalSeconds, LeaseSeconds } from '../../domain/order/index.js'
import { decodeIn } from '../decode.js'
import type { HttpDeps } from '../deps.js'
import { jsonBody } from '../json-body.js'
import { reply } from '../reply.js'
import { anyCredential } from './auth.js'
import { adminDialect as dialect } from './dialect.js'
import { adminFailure } from './failures.js'

export const WhatIfBody = t.type({
  activation_key: t.string,
  from: Instant,
  to: Instant,
  policy: t.partial({ seats_allowed: IntFromInput(0, 1_000_000), lease_seconds: LeaseSeconds, heartbeat_interval_seconds: HeartbeatIntervalSeconds }),
})

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

export const createWhatIfRouter = ({ services, idempotency }: HttpDeps): Router => {
  const router = Router()
  const endpoint = anyCredential({ services, idempotency })
  const decode = decodeIn(dialect)

  router.post(
    '/reports/what-if',
    jsonBody(dialect),
    endpoint.read(async ({ req, session, principal }) => {
      const body = decode(WhatIfBody, req.body ?? {})
      if (E.isLeft(body)) return body.left
      const { activation_key, from, to, policy } = body.right
      if (Date.parse(from) >= Date.parse(to)) return dialect.problem(400, { fields: [{ field: 'to', message: 'must be after from' }] })
      const license = await services.orders.reach(session, principal, activation_key)
      if (E.isLeft(license)) return adminFailure(license.left)
      const report = await services.whatIf.run(
        license.right.orderId,
        { from: new Date(from), to: new Date(to) },
        {
          ...(policy.seats_allowed === undefined ? {} : { seats: policy.seats_allowed }),
          ...(policy.lease_seconds === undefined ? {} : { leaseSeconds: policy.lease_seconds }),
          ...(policy.heartbeat_interval_seconds === undefined ? {} : { heartbeatIntervalSeconds: policy.heartbeat_interval_seconds }),
        },
      )
      return report === null ? dialect.problem(404) : reply(200, whatIfBody(report, license.right.order.activationKey))
    }),
  )
  return router
}
