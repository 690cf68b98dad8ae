import * as t from 'io-ts'
import { BoundedString, Instant, NonEmptyString, PositiveInt } from '../codecs.js'
import type { EventSchemas } from '../versioning.js'

export const ProductId = BoundedString(1, 64, 'a product id of 1 to 64 characters')

export const ProductTemplateCreated = t.type({
  type: t.literal('ProductTemplateCreated'),
  data: t.type({ templateId: PositiveInt, name: NonEmptyString, productId: ProductId, at: Instant }),
})

export const ProductTemplateEvent = ProductTemplateCreated
export type ProductTemplateEvent = t.TypeOf<typeof ProductTemplateEvent>

export const productTemplateSchemas: EventSchemas<ProductTemplateEvent['type']> = {
  versions: { ProductTemplateCreated: 1 },
  upcasters: {},
}
