// What a license is, for access checks: its product (through its product
// template) and its order id.
import type { Target } from '../domain/api-key/access.js'
import type { ExistingOrder } from '../domain/order/index.js'
import type { ProductTemplates } from './customers.js'

export const targetOfOrder = async (order: ExistingOrder, productTemplates: ProductTemplates): Promise<Target> => {
  const template = await productTemplates.get(order.terms.product_template_id)
  return { productId: template?.productId ?? null, orderId: order.orderId }
}
