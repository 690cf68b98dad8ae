// What a credential may read of the audit. An admin reads everything. A key
// scoped to a product reads only events that concerned that product when they
// were recorded, whatever it asks for; a key scoped to one license reads only
// that license's events. Naming a license, or a product, the key may not reach
// is refused rather than answered with an empty page, so a mistake is seen.
import * as E from 'fp-ts/Either'
import { authorize, type Forbidden } from '../application/access.js'
import type { ApiKeyScope } from '../domain/api-key/index.js'
import type { AuditFilter, AuditReader, Subject } from '../projections/audit-reader.js'
import type { AuditParams } from './audit-params.js'

export type AuditAccess =
  | { readonly _tag: 'Filter'; readonly filter: AuditFilter }
  /** The license named is not known: nothing can match. */
  | { readonly _tag: 'NothingMatches' }
  | { readonly _tag: 'Forbidden'; readonly forbidden: Forbidden; readonly detail: string }

export const auditAccess = (scope: ApiKeyScope, params: AuditParams, audit: AuditReader): AuditAccess => {
  // The most selective subject first: the query is driven by it.
  const subjects: Subject[] = []
  if (params.license !== null) {
    const orderId = audit.resolveLicense(params.license)
    const license = orderId === null ? null : audit.license(orderId)
    if (license === null) return { _tag: 'NothingMatches' }
    const reached = authorize({ scope }, { productId: license.productId, orderId: license.orderId })
    if (E.isLeft(reached)) return { _tag: 'Forbidden', forbidden: reached.left, detail: 'this credential may not read the history of this license' }
    subjects.push({ kind: 'order', value: license.orderId })
  }
  if (params.customerId !== null) subjects.push({ kind: 'customer', value: String(params.customerId) })
  if (params.productId !== null) {
    const reachable =
      scope.kind === 'admin' ||
      (scope.kind === 'product' && scope.productId === params.productId) ||
      (scope.kind === 'license' && audit.license(scope.orderId)?.productId === params.productId)
    if (!reachable) {
      const forbidden: Forbidden = { _tag: 'Forbidden', target: { productId: params.productId, orderId: null } }
      return { _tag: 'Forbidden', forbidden, detail: 'this credential may not read the history of this product' }
    }
    subjects.push({ kind: 'product', value: params.productId })
  }
  if (scope.kind === 'product') subjects.push({ kind: 'product', value: scope.productId })
  if (scope.kind === 'license') subjects.push({ kind: 'order', value: scope.orderId })

  const unique = subjects.filter((s, i) => subjects.findIndex((o) => o.kind === s.kind && o.value === s.value) === i)
  return {
    _tag: 'Filter',
    filter: { subjects: unique, types: params.types, actor: params.actor, from: params.from, to: params.to },
  }
}
