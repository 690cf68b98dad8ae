// Customers and product templates: numbered by a sequence, then created in a
// stream of their own.
import * as E from 'fp-ts/Either'
import { customerDecider, customerStream, type CustomerError, type CustomerProfile, type CustomerState } from '../domain/customer/index.js'
import {
  productTemplateDecider,
  productTemplateStream,
  type ProductTemplateError,
  type ProductTemplateState,
} from '../domain/product-template/index.js'
import { CustomerAggregate, ProductTemplateAggregate } from './aggregates.js'
import type { CommandHandler, ConcurrencyConflict, Executed } from './command-handler.js'
import { allocateId } from './ids.js'
import type { CommandMeta } from './metadata.js'

export type ExistingCustomer = Extract<CustomerState, { exists: true }>
export type ExistingProductTemplate = Extract<ProductTemplateState, { exists: true }>

const existing = <S extends { exists: boolean }>(executed: Executed<S, unknown>): Extract<S, { exists: true }> =>
  executed.state as Extract<S, { exists: true }>

export const createCustomers = (handler: CommandHandler) => ({
  create: async (profile: CustomerProfile, meta: CommandMeta): Promise<E.Either<CustomerError | ConcurrencyConflict, ExistingCustomer>> => {
    const id = await allocateId(handler, 'customer', meta)
    if (E.isLeft(id)) return id
    const customerId = id.right
    const created = await handler.execute(
      CustomerAggregate,
      customerStream(customerId),
      (state, now) => customerDecider.decide({ type: 'CreateCustomer', customerId, profile }, state, { now }),
      meta,
    )
    return E.map(existing<CustomerState>)(created)
  },
  update: async (
    customerId: number,
    profile: CustomerProfile,
    meta: CommandMeta,
  ): Promise<E.Either<CustomerError | ConcurrencyConflict, ExistingCustomer>> =>
    E.map(existing<CustomerState>)(
      await handler.execute(
        CustomerAggregate,
        customerStream(customerId),
        (state, now) => customerDecider.decide({ type: 'UpdateCustomer', customerId, profile }, state, { now }),
        meta,
      ),
    ),
  get: async (customerId: number): Promise<ExistingCustomer | null> => {
    const { state } = await handler.load(CustomerAggregate, customerStream(customerId))
    return state.exists ? state : null
  },
})
export type Customers = ReturnType<typeof createCustomers>

export const createProductTemplates = (handler: CommandHandler) => ({
  create: async (
    input: { readonly name: string; readonly productId: string },
    meta: CommandMeta,
  ): Promise<E.Either<ProductTemplateError | ConcurrencyConflict, ExistingProductTemplate>> => {
    const id = await allocateId(handler, 'productTemplate', meta)
    if (E.isLeft(id)) return id
    const templateId = id.right
    const created = await handler.execute(
      ProductTemplateAggregate,
      productTemplateStream(templateId),
      (state, now) => productTemplateDecider.decide({ type: 'CreateProductTemplate', templateId, ...input }, state, { now }),
      meta,
    )
    return E.map(existing<ProductTemplateState>)(created)
  },
  get: async (templateId: number): Promise<ExistingProductTemplate | null> => {
    const { state } = await handler.load(ProductTemplateAggregate, productTemplateStream(templateId))
    return state.exists ? state : null
  },
})
export type ProductTemplates = ReturnType<typeof createProductTemplates>
