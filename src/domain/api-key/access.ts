// What a scoped credential may reach. A product key reaches the licenses of
// its product only; a license key reaches its one license; admin reaches all.
// A license moves to another product only for a credential that reaches both
// and is not tied to the one license: a license key changes its terms within
// its product, never the product.
import type { ApiKeyScope } from './events.js'

export interface Target {
  /** The product (a product template's product_id) the license belongs to; null for resources outside any product. */
  readonly productId: string | null
  /** The license order; null for resources that are not one license. */
  readonly orderId: string | null
}

export const mayReach = (scope: ApiKeyScope, target: Target): boolean => {
  switch (scope.kind) {
    case 'admin':
      return true
    case 'product':
      return target.productId !== null && target.productId === scope.productId
    case 'license':
      return target.orderId !== null && target.orderId === scope.orderId
  }
}

/** Whether the credential may move a license (`from`, as it stands) to `to` (its product after the change). */
export const mayMove = (scope: ApiKeyScope, from: Target, to: Target): boolean =>
  mayReach(scope, from) && mayReach(scope, to) && (scope.kind !== 'license' || from.productId === to.productId)
