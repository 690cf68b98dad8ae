// Customers and product templates: numbered by a sequence, then created in a
// stream of their own.
import * as E from 'fp-ts/Either'
import {
  customerStream,
  type CreateCustomer,
  type CustomerError,
  type ExistingCustomer,
  type UpdateCustomer,
} from '../domain/customer/index.js'
import {
  productTemplateStream,
  type CreateProductTemplate,
  type ExistingProductTemplate,
  type ProductTemplateError,
} from '../domain/product-template/index.js'
import { CustomerAggregate, ProductTemplateAggregate } from './aggregates.js'
import type { ConcurrencyConflict } from './command-handler.js'
import { allocateId } from './ids.js'
import type { CommandMeta } from './metadata.js'
import type { Session } from './session.js'

export type { ExistingCustomer, ExistingProductTemplate }

export type CustomerFailure = CustomerError | ConcurrencyConflict
export type ProductTemplateFailure = ProductTemplateError | ConcurrencyConflict

// A decision that succeeded leaves the customer or template behind.
const customer = (handled: { readonly state: unknown }): ExistingCustomer => handled.state as ExistingCustomer
const template = (handled: { readonly state: unknown }): ExistingProductTemplate => handled.state as ExistingProductTemplate

export const createCustomers = () => ({
  /** Creates a customer under the next customer id. */
  create: async (session: Session, command: Omit<CreateCustomer, 'customerId'>, meta: CommandMeta): Promise<E.Either<CustomerFailure, ExistingCustomer>> => {
    const id = await allocateId(session, 'customer', meta)
    if (E.isLeft(id)) return id
    return E.map(customer)(await session.handle(CustomerAggregate, { ...command, customerId: id.right }, {}, meta))
  },
  update: async (session: Session, command: UpdateCustomer, meta: CommandMeta): Promise<E.Either<CustomerFailure, ExistingCustomer>> =>
    E.map(customer)(await session.handle(CustomerAggregate, command, {}, meta)),
  get: async (session: Session, customerId: number): Promise<ExistingCustomer | null> => {
    const { state } = await session.load(CustomerAggregate, customerStream(customerId))
    return state.exists ? state : null
  },
})
export type Customers = ReturnType<typeof createCustomers>

export const createProductTemplates = () => ({
  /** Creates a product template under the next template id. */
  create: async (
    session: Session,
    command: Omit<CreateProductTemplate, 'templateId'>,
    meta: CommandMeta,
  ): Promise<E.Either<ProductTemplateFailure, ExistingProductTemplate>> => {
    const id = await allocateId(session, 'productTemplate', meta)
    if (E.isLeft(id)) return id
    return E.map(template)(await session.handle(ProductTemplateAggregate, { ...command, templateId: id.right }, {}, meta))
  },
  get: async (session: Session, templateId: number): Promise<ExistingProductTemplate | null> => {
    const { state } = await session.load(ProductTemplateAggregate, productTemplateStream(templateId))
    return state.exists ? state : null
  },
})
export type ProductTemplates = ReturnType<typeof createProductTemplates>
