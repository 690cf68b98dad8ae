// Admin API: the audit log (issue 5).
//   GET /audit/events          the event log, filtered, newest or oldest first, by cursor
//   GET /audit/events.ndjson   the same query exported as NDJSON, streamed
//   GET /audit/events.csv      the same query exported as CSV, streamed
// An admin credential reads everything; a product- or license-scoped key reads
// only its own (audit-access.ts).
import * as E from 'fp-ts/Either'
import { Router } from 'express'
import { auditAccess } from '../audit-access.js'
import { AUDIT_PAGE, parseAuditParams, type AuditParam, type AuditParamRules, type AuditParams } from '../audit-params.js'
import { auditEntryBody, csvHeader, csvRow, ndjsonLine } from '../audit-view.js'
import type { Call } from '../call.js'
import type { HttpDeps } from '../deps.js'
import { reply } from '../reply.js'
import { streamPages } from '../stream.js'
import { anyCredential } from './auth.js'
import { adminDialect as dialect } from './dialect.js'
import { chainedExport } from './audit-chain.js'

const FILTERS: readonly AuditParam[] = ['license', 'customer_id', 'product_id', 'type', 'actor', 'from', 'to', 'order', 'cursor', 'limit']
/** An export has no page size: `limit` only caps how much it sends. */
const EXPORT = { defaultLimit: null, maxLimit: 1_000_000_000 } as const

export const createAuditRouter = ({ services, reads, idempotency, logChain }: HttpDeps): Router => {
  const router = Router()
  const endpoint = anyCredential({ services, idempotency })

  /** The parameters and what the credential may read of them, or the reply that refuses them. */
  const queryOf = async ({ req, principal }: Call, rules: Omit<AuditParamRules, 'accepted'>) => {
    const params = parseAuditParams(req.query, { accepted: FILTERS, ...rules })
    if (E.isLeft(params)) return E.left(dialect.problem(400, { fields: params.left }))
    await reads.fresh()
    const access = auditAccess(principal.scope, params.right, reads.audit)
    if (access._tag === 'Forbidden') return E.left(dialect.problem(403, { detail: access.detail }))
    return E.right({ params: params.right, access })
  }

  const rangeOf = (params: AuditParams) => ({ order: params.order, cursor: params.cursor })

  router.get(
    '/audit/events',
    endpoint.read(async (call) => {
      const query = await queryOf(call, AUDIT_PAGE)
      if (E.isLeft(query)) return query.left
      const { params, access } = query.right
      if (access._tag === 'NothingMatches') return reply(200, { items: [], next_cursor: null })
      const page = await reads.audit.page(access.filter, rangeOf(params), params.limit ?? AUDIT_PAGE.defaultLimit)
      return reply(200, { items: page.items.map(auditEntryBody), next_cursor: page.nextCursor })
    }),
  )

  const exporter = (format: 'ndjson' | 'csv') =>
    endpoint.read(async (call) => {
      const { res } = call
      const chained = format === 'ndjson' ? await chainedExport(call, logChain) : null
      if (chained !== null) return chained
      const query = await queryOf(call, EXPORT)
      if (E.isLeft(query)) return query.left
      const { params, access } = query.right
      const pages = access._tag === 'NothingMatches' ? [] : reads.audit.pages(access.filter, rangeOf(params), params.limit)
      if (format === 'csv') await streamPages(res, { contentType: 'text/csv; charset=utf-8', filename: 'audit-events.csv' }, csvHeader, pages, csvRow)
      else await streamPages(res, { contentType: 'application/x-ndjson', filename: 'audit-events.ndjson' }, '', pages, ndjsonLine)
      // Already sent, piece by piece; `endpoint` sends nothing once headers are out.
      return reply(200)
    })

  router.get('/audit/events.ndjson', exporter('ndjson'))
  router.get('/audit/events.csv', exporter('csv'))

  return router
}
