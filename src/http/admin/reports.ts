// Compliance reports (issue 5), in the admin dialect:
//   GET /reports/seat-usage?activation_key=...&from=...&to=...&bucket=hour|day
//   GET /reports/seat-usage.csv?...   the same as a CSV download
// Admin credentials, or a key scoped to the license's product or to the license.
import * as E from 'fp-ts/Either'
import { Router } from 'express'
import { bucketCount, MAX_BUCKETS, type Bucket, type ExistingOrder, type SeatUsageDetail, type SeatUsageRow } from '../../domain/order/index.js'
import { INSTANT_MESSAGE, parseInstant } from '../audit-params.js'
import type { Call } from '../call.js'
import type { HttpDeps } from '../deps.js'
import { csvLine, csvReply, reply, type Reply } from '../reply.js'
import { anyCredential } from './auth.js'
import { adminDialect as dialect } from './dialect.js'
import { adminFailure } from './failures.js'

interface Query {
  readonly order: ExistingOrder
  readonly from: Date
  readonly to: Date
  readonly bucket: Bucket
  /** ?holders=true: each row also says when its peak was held, by whom, and the cap then (the console's chart). */
  readonly holders: boolean
}

const instant = (value: unknown): Date | null => (typeof value === 'string' ? parseInstant(value) : null)

const rowBody = (r: SeatUsageRow) => ({
  start: r.start,
  end: r.end,
  peak_seats: r.peakSeats,
  seat_hours: r.seatHours,
  grants: r.grants,
  releases: r.releases,
  expiries: r.expiries,
  denials: r.denials,
})

const detailBody = (d: SeatUsageDetail) => ({
  peak_at: d.peakAt,
  holders: d.holders.map((h) => ({ seat_id: h.seatId, client_id: h.clientId, machine_id: h.machineId, client_name: h.clientName })),
  seats_allowed: d.seatsAllowed,
})

const COLUMNS = ['start', 'end', 'peak_seats', 'seat_hours', 'grants', 'releases', 'expiries', 'denials'] as const

export const createReportsRouter = ({ services, idempotency, reads }: HttpDeps): Router => {
  const router = Router()
  const endpoint = anyCredential({ services, idempotency })

  /** In reach, and every parameter valid; or the reply that says which is not. */
  const query = async ({ req, session, principal }: Call): Promise<E.Either<Reply, Query>> => {
    const fields: { field: string; message: string }[] = []
    const key = req.query.activation_key
    if (typeof key !== 'string' || key === '') fields.push({ field: 'activation_key', message: 'is required' })
    const from = instant(req.query.from)
    const to = instant(req.query.to)
    if (from === null) fields.push({ field: 'from', message: INSTANT_MESSAGE })
    if (to === null) fields.push({ field: 'to', message: INSTANT_MESSAGE })
    const bucket = req.query.bucket ?? 'hour'
    if (bucket !== 'hour' && bucket !== 'day') fields.push({ field: 'bucket', message: 'must be one of: hour, day' })
    const holders = req.query.holders ?? 'false'
    if (holders !== 'true' && holders !== 'false') fields.push({ field: 'holders', message: 'must be one of: true, false' })
    if (from !== null && to !== null && from >= to) fields.push({ field: 'to', message: 'must be after from' })
    if (fields.length === 0 && bucketCount({ from: from!, to: to!, bucket: bucket as Bucket }) > MAX_BUCKETS) {
      fields.push({ field: 'to', message: `the period has more than ${MAX_BUCKETS} ${bucket} buckets` })
    }
    if (fields.length > 0) return E.left(dialect.problem(400, { fields }))
    const license = await services.orders.reach(session, principal, key as string)
    if (E.isLeft(license)) return E.left(adminFailure(license.left))
    return E.right({ order: license.right.order, from: from!, to: to!, bucket: bucket as Bucket, holders: holders === 'true' })
  }

  // From the seat-tenure read model, once it holds every write this node made (read-your-writes).
  const report = async (q: Query) => {
    await reads.fresh()
    return services.reports.seatUsage(reads.seatTenures.period, q.order.orderId, { from: q.from, to: q.to, bucket: q.bucket, now: services.clock() }, q.holders)
  }

  router.get(
    '/reports/seat-usage',
    endpoint.read(async (call) => {
      const q = await query(call)
      if (E.isLeft(q)) return q.left
      const { rows, details } = await report(q.right)
      return reply(200, {
        license: { order_id: q.right.order.orderId, activation_key: q.right.order.activationKey },
        from: q.right.from.toISOString(),
        to: q.right.to.toISOString(),
        bucket: q.right.bucket,
        rows: rows.map((r, i) => (details === null ? rowBody(r) : { ...rowBody(r), ...detailBody(details[i]!) })),
        totals: {
          peak_seats: Math.max(0, ...rows.map((r) => r.peakSeats)),
          seat_hours: Math.round(rows.reduce((sum, r) => sum + r.seatHours, 0) * 10_000) / 10_000,
          grants: rows.reduce((sum, r) => sum + r.grants, 0),
          releases: rows.reduce((sum, r) => sum + r.releases, 0),
          expiries: rows.reduce((sum, r) => sum + r.expiries, 0),
          denials: rows.reduce((sum, r) => sum + r.denials, 0),
        },
      })
    }),
  )

  router.get(
    '/reports/seat-usage.csv',
    endpoint.read(async (call) => {
      const q = await query(call)
      if (E.isLeft(q)) return q.left
      const { rows } = await report(q.right)
      const stamp = (d: Date): string => d.toISOString().replace(/[:.]/g, '')
      return csvReply(`seat-usage-${q.right.order.activationKey}-${stamp(q.right.from)}-${stamp(q.right.to)}.csv`, [
        csvLine(COLUMNS),
        ...rows.map((r) => csvLine(COLUMNS.map((c) => rowBody(r)[c]))),
      ])
    }),
  )

  return router
}
