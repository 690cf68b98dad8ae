import * as t from 'io-ts'
import { NonEmptyString, PositiveInt } from '../codecs.js'
import { ProductId } from './events.js'

/** product_id may come as a number (`1`) or a string (`"1"`); it is kept as the string the responses show. */
export const ProductIdInput = new t.Type<string, string, unknown>(
  ProductId.name,
  ProductId.is,
  (u, c) => ProductId.validate(typeof u === 'number' && Number.isSafeInteger(u) ? String(u) : u, c),
  t.identity,
)

export const CreateProductTemplate = t.type({
  type: t.literal('CreateProductTemplate'),
  templateId: PositiveInt,
  name: NonEmptyString,
  productId: ProductIdInput,
})
export type CreateProductTemplate = t.TypeOf<typeof CreateProductTemplate>

export const ProductTemplateCommand = CreateProductTemplate
export type ProductTemplateCommand = CreateProductTemplate
