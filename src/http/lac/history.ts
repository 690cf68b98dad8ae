// Seed 001's license orders through time (issue 5), in the LAC dialect:
//   GET /license-orders/{activation_key}/history          the license's events, newest first, each told for a person
//   GET /license-orders/{activation_key}?asOf=<instant>   the order as it was at that instant
// The history reads the audit index; the past state folds the license's own
// streams up to the instant (application/point-in-time.ts).
import * as E from 'fp-ts/Either'
import type { Request } from 'express'
import { authorize, licenseOf } from '../../application/access.js'
import { ADMIN_TOKEN_ID, type Principal } from '../../application/credentials.js'
import { activationsOf, liveSeats, type ExistingOrder } from '../../domain/order/index.js'
import type { AuditEntry } from '../../projections/audit-reader.js'
import type { FieldChange } from '../../projections/field-changes.js'
import type { JsonValue } from '../../store/port.js'
import { auditAccess } from '../audit-access.js'
import { AUDIT_PAGE, INSTANT_MESSAGE, parseAuditParams, parseInstant } from '../audit-params.js'
import { auditEntryBody } from '../audit-view.js'
import type { HttpDeps } from '../deps.js'
import { reply, type Reply } from '../reply.js'
import { lacDialect as dialect } from './dialect.js'
import { lacFailure } from './failures.js'
import { licenseOrderView } from '../../views/license-order.js'


const actorName = (actor: string | null): string => {
  if (actor === null) return 'an unknown actor'
  if (actor === ADMIN_TOKEN_ID) return 'the admin token'
  if (actor.startsWith('system:')) return `the engine (${actor.slice('system:'.length)})`
  return `key ${actor}`
}

const shown = (value: JsonValue): string => {
  if (value === null) return 'nothing'
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  const text = JSON.stringify(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

/** Terms are what a person edits on a license: their fields are named as seed 001 names them. */
const label = (field: string): string => field.replace(/^terms\./, '')

const MAX_TOLD = 3

const told = (changes: readonly FieldChange[]): string => {
  const first = changes.slice(0, MAX_TOLD).map((c) => `${label(c.field)} changed from ${shown(c.old)} to ${shown(c.new)}`)
  const more = changes.length - MAX_TOLD
  return `${first.join('; ')}${more > 0 ? `; and ${more} more change${more === 1 ? '' : 's'}` : ''}`
}

/** `OrderCreated` -> "Order created". */
const sentenceOf = (type: string): string => {
  const words = type.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** "activations_allowed changed from 10 to 12 by key abc (203.0.113.7)". */
export const summaryOf = (entry: AuditEntry): string =>
  `${entry.changes.length > 0 ? told(entry.changes) : sentenceOf(entry.type)} by ${actorName(entry.actor)}${entry.clientIp === null ? '' : ` (${entry.clientIp})`}`

/**
 * What seed 001's order does not show, as it was at the instant: the license's
 * e-mail and data (seed 004), its activations, and the floating seats held
 * then (a seat whose lease had run out held nothing, whether or not its expiry
 * was written yet) and by whom.
 */
export const usedAt = (order: ExistingOrder, at: Date) => ({
  at: at.toISOString(),
  email: order.email ?? null,
  license_data: order.licenseData ?? null,
  activations: activationsOf(order.usage).map((a) => ({
    activation_id: a.activationId,
    client_id: a.clientId,
    machine_id: a.machineId,
    client_name: a.clientName,
    client_addr: a.clientAddr,
    activated_at: a.activatedAt,
  })),
  seats: liveSeats(order.usage, at).map((s) => ({
    seat_id: s.seatId,
    client_id: s.clientId,
    machine_id: s.machineId,
    client_name: s.clientName,
    client_addr: s.clientAddr,
    granted_at: s.grantedAt,
    lease_expires_at: s.leaseExpiresAt,
  })),
})

export const createLacHistory = ({ services, reads }: HttpDeps) => {
  const history = async (req: Request, principal: Principal): Promise<Reply> => {
    const key = String(req.params.activation_key)
    const params = parseAuditParams(req.query, { accepted: ['type', 'actor', 'from', 'to', 'order', 'cursor', 'limit'], ...AUDIT_PAGE })
    if (E.isLeft(params)) return dialect.problem(400, { fields: params.left })
    await reads.fresh()
    const access = auditAccess(principal.scope, { ...params.right, license: key }, reads.audit)
    if (access._tag === 'NothingMatches') return dialect.problem(404)
    if (access._tag === 'Forbidden') return lacFailure(access.forbidden)
    const orderId = access.filter.subjects.find((s) => s.kind === 'order')!.value
    const page = await reads.audit.page(access.filter, { order: params.right.order, cursor: params.right.cursor }, params.right.limit ?? AUDIT_PAGE.defaultLimit)
    return reply(200, {
      activation_key: key,
      order_id: orderId,
      current_activation_key: reads.audit.license(orderId)?.activationKey ?? key,
      items: page.items.map((entry) => ({ summary: summaryOf(entry), ...auditEntryBody(entry) })),
      next_cursor: page.nextCursor,
    })
  }

  /** The order that had this key at the instant, as it was then, with its customer and template as they were then. */
  const asOf = async (principal: Principal, key: string, instant: unknown): Promise<Reply> => {
    const at = typeof instant === 'string' ? parseInstant(instant) : null
    if (at === null) return dialect.problem(400, { fields: [{ field: 'asOf', message: INSTANT_MESSAGE }] })
    const found = await services.pointInTime.licenseOrderAt(key, at)
    if (found === null) return dialect.problem(404)
    const reached = authorize(principal, licenseOf(found.order, found.template))
    if (E.isLeft(reached)) return lacFailure(reached.left)
    return reply(200, { ...licenseOrderView(found.order, found.customer, found.template), as_of: usedAt(found.order, at) })
  }

  return { history, asOf }
}
