// Facts of a product's own stream (`product-<productId>`): the settings seed
// 004 decides license updates by. A product is named by the product_id of its
// product templates; it needs no event to exist, only to be configured.
import * as t from 'io-ts'
import { Bool, Instant, oneOf } from '../codecs.js'
import { ProductId } from '../product-template/events.js'
import type { EventSchemas } from '../versioning.js'

/** test: the vendor is still integrating, and test events are applied; active: in production, test events are refused. */
export const ProductStatus = oneOf('test', 'active')
export type ProductStatus = t.TypeOf<typeof ProductStatus>

export const ProductSettings = t.type({
  status: ProductStatus,
  /** Whether a license's data may be changed through seed 004 ("Feature Data option"). */
  licenseDataEnabled: Bool,
})
export type ProductSettings = t.TypeOf<typeof ProductSettings>

export const ProductConfigured = t.type({
  type: t.literal('ProductConfigured'),
  data: t.type({ productId: ProductId, status: ProductStatus, licenseDataEnabled: Bool, at: Instant }),
})

export const ProductEvent = ProductConfigured
export type ProductEvent = t.TypeOf<typeof ProductEvent>

export const productSchemas: EventSchemas<ProductEvent['type']> = {
  versions: { ProductConfigured: 1 },
  upcasters: {},
}
