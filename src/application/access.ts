// Access, one rule in one place: a credential reaches a target, or the answer
// is Forbidden. What a license is for access is found one way: its order and
// the product its product template names.
import * as E from 'fp-ts/Either'
import { mayMove, mayReach, type ApiKeyScope, type Target } from '../domain/api-key/index.js'
import type { ExistingOrder } from '../domain/order/index.js'
import { productTemplateStream, type ExistingProductTemplate } from '../domain/product-template/index.js'
import { ProductTemplateAggregate } from './aggregates.js'
import type { Session } from './session.js'

/** The credential may not reach the target it asked for. */
export type Forbidden = { readonly _tag: 'Forbidden'; readonly target: Target }

export type { Target }

/** Resources of no product and no license (the admin API's): only an admin credential reaches them. */
export const ADMIN_ONLY: Target = { productId: null, orderId: null }

export const authorize = <T extends Target>(principal: { readonly scope: ApiKeyScope }, target: T): E.Either<Forbidden, T> =>
  mayReach(principal.scope, target) ? E.right(target) : E.left({ _tag: 'Forbidden', target: { productId: target.productId, orderId: target.orderId } })

/** A change that moves a license (`from`) to a target (`to`, its product afterwards): the credential must reach both, and a license key keep its product. */
export const authorizeMove = <T extends Target>(principal: { readonly scope: ApiKeyScope }, from: Target, to: T): E.Either<Forbidden, T> =>
  mayMove(principal.scope, from, to) ? E.right(to) : E.left({ _tag: 'Forbidden', target: { productId: to.productId, orderId: to.orderId } })

/** A license order as access judges it: by the order and the product its template names. */
export interface License extends Target {
  readonly order: ExistingOrder
  readonly orderId: string
}

/** The one way to a license's product: its product template's product_id (null when the template is unknown). */
export const licenseOf = (order: ExistingOrder, template: Pick<ExistingProductTemplate, 'productId'> | null): License => ({
  order,
  orderId: order.orderId,
  productId: template?.productId ?? null,
})

/** A product template as the session has it; a template's product never changes, so the one this process saw is good. */
export const templateOf = async (session: Session, templateId: number): Promise<ExistingProductTemplate | null> => {
  const { state } = await session.peek(ProductTemplateAggregate, productTemplateStream(templateId))
  return state.exists ? state : null
}

/** A live license order, for access. */
export const liveLicense = async (session: Session, order: ExistingOrder): Promise<License> =>
  licenseOf(order, await templateOf(session, order.terms.product_template_id))
