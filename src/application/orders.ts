// License orders: creation and updates of their terms, changes of activation
// key and serial number. A key is reserved in its own stream before the order
// takes it, so two orders racing for one key get one success and one conflict.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type * as RNEA from 'fp-ts/ReadonlyNonEmptyArray'
import { v4 as uuid } from 'uuid'
import { activationKeyStream, type ActivationKey, type ActivationKeyError } from '../domain/activation-key/index.js'
import {
  orderDecider,
  orderStream,
  type ChangeActivationKey,
  type ChangeSerialNumber,
  type ExistingOrder,
  type OrderContext,
  type OrderError,
  type OrderTerms,
  type UpdateOrder,
} from '../domain/order/index.js'
import { authorize, authorizeMove, liveLicense, templateOf, type Forbidden, type License } from './access.js'
import { ActivationKeyAggregate, OrderAggregate } from './aggregates.js'
import type { ConcurrencyConflict, ContextOf } from './command-handler.js'
import type { Customers, ExistingCustomer, ExistingProductTemplate, ProductTemplates } from './customers.js'
import type { Principal } from './credentials.js'
import { generateActivationKey } from './ids.js'
import type { CommandMeta } from './metadata.js'
import type { Session } from './session.js'

export type OrderFailure = OrderError | ActivationKeyError | ConcurrencyConflict

/** No license order has this activation key (now). */
export type UnknownActivationKey = { readonly _tag: 'UnknownActivationKey'; readonly key: string }

export interface OrdersOptions {
  readonly customers: Customers
  readonly productTemplates: ProductTemplates
  readonly clock: () => Date
  /** How long a fresh reservation is protected while its order is being written (default 60 s). */
  readonly reservationGraceMs?: number
  readonly newOrderId?: () => string
  readonly newActivationKey?: () => ActivationKey
}

/** Seed 001's new order: its terms, and the key the vendor chose (null: the engine generates one). */
export interface NewOrder {
  readonly terms: OrderTerms
  readonly activationKey: ActivationKey | null
}

/** Seed 000: a new serial number, a new activation key, or both, as one change. */
export type IdentityChange = RNEA.ReadonlyNonEmptyArray<ChangeSerialNumber | ChangeActivationKey>

/** An order with the customer and template it names, as they stand: what seed 001 shows. */
export interface OrderWithRelations {
  readonly order: ExistingOrder
  readonly customer: ExistingCustomer | null
  readonly template: ExistingProductTemplate | null
}

const GENERATED_KEY_ATTEMPTS = 5

/** A decision on an order that succeeded leaves an order behind. */
const existingOrder = (handled: { readonly state: unknown }): ExistingOrder => handled.state as ExistingOrder

export const createOrders = (options: OrdersOptions) => {
  const { customers, productTemplates, clock } = options
  const graceMs = options.reservationGraceMs ?? 60_000
  const newOrderId = options.newOrderId ?? uuid
  const newActivationKey = options.newActivationKey ?? generateActivationKey

  /** Which of the customer and template the terms name exist (read once per session, and reused for the reply). */
  const contextFor = async (session: Session, terms: OrderTerms | null): Promise<ContextOf<OrderContext>> => {
    if (terms === null) return { existing: { customers: new Set(), productTemplates: new Set() } }
    const [customer, template] = await Promise.all([customers.get(session, terms.customer_id), productTemplates.get(session, terms.product_template_id)])
    return {
      existing: {
        customers: new Set(customer === null ? [] : [terms.customer_id]),
        productTemplates: new Set(template === null ? [] : [terms.product_template_id]),
      },
    }
  }

  const get = async (session: Session, orderId: string): Promise<ExistingOrder | null> => {
    const { state } = await session.load(OrderAggregate, orderStream(orderId))
    return state.exists ? state : null
  }

  /** The order that holds this key now, read from the key's own stream (no projection lag). */
  const findByKey = async (session: Session, key: string): Promise<ExistingOrder | null> => {
    const { state } = await session.load(ActivationKeyAggregate, activationKeyStream(key))
    if (state.holder === null) return null
    const order = await get(session, state.holder)
    return order !== null && order.activationKey === key ? order : null
  }

  /** The license this key names, if the principal may act on it. */
  const reach = async (session: Session, principal: Principal, key: string): Promise<E.Either<UnknownActivationKey | Forbidden, License>> => {
    const order = await findByKey(session, key)
    if (order === null) return E.left({ _tag: 'UnknownActivationKey', key })
    return authorize(principal, await liveLicense(session, order))
  }

  /** Moving an order to a product, or creating one there, needs the right to that product. */
  const mayUseTemplate = async (session: Session, principal: Principal, templateId: number, orderId: string | null): Promise<E.Either<Forbidden, unknown>> => {
    const template = await templateOf(session, templateId)
    // An unknown template is the decider's to refuse (UnknownProductTemplate).
    return template === null ? E.right(null) : authorize(principal, { productId: template.productId, orderId })
  }

  /** An earlier holder that holds the key without using it, past the grace period; null otherwise. */
  const abandonedHolder = async (session: Session, key: ActivationKey, orderId: string): Promise<string | null> => {
    const { state } = await session.load(ActivationKeyAggregate, activationKeyStream(key))
    if (state.holder === null || state.holder === orderId) return null
    const holder = await get(session, state.holder)
    if (holder !== null && holder.activationKey === key) return null
    const age = clock().getTime() - Date.parse(state.reservedAt ?? '')
    return age > graceMs ? state.holder : null
  }

  const reserve = async (session: Session, key: ActivationKey, orderId: string, meta: CommandMeta) =>
    session.handle(ActivationKeyAggregate, { type: 'ReserveActivationKey', key, orderId }, { abandonedBy: await abandonedHolder(session, key, orderId) }, meta)

  const release = (session: Session, key: ActivationKey, orderId: string, meta: CommandMeta) =>
    session.handle(ActivationKeyAggregate, { type: 'ReleaseActivationKey', key, orderId }, { abandonedBy: null }, meta)

  /**
   * After a fault in the order's append: the key goes back unless the order may hold it (the append may have
   * landed before the fault). When that cannot be read either, the reservation stays, and is reclaimed as
   * abandoned after the grace period.
   */
  const releaseUnlessWritten = async (session: Session, key: ActivationKey, orderId: string, meta: CommandMeta): Promise<void> => {
    try {
      const order = await get(session, orderId)
      if (order === null || order.activationKey !== key) await release(session, key, orderId, meta)
    } catch {
      // The fault the caller rethrows says what went wrong.
    }
  }

  const create = async (session: Session, principal: Principal, request: NewOrder, meta: CommandMeta): Promise<E.Either<OrderFailure | Forbidden, ExistingOrder>> => {
    const { terms } = request
    const allowed = await mayUseTemplate(session, principal, terms.product_template_id, null)
    if (E.isLeft(allowed)) return allowed
    const orderId = newOrderId()
    const context = await contextFor(session, terms)
    // Refuse bad references before a key is reserved for an order that will not exist.
    const precheck = orderDecider.decide(
      { type: 'CreateOrder', orderId, activationKey: request.activationKey ?? newActivationKey(), terms },
      orderDecider.initialState,
      { ...context, now: clock() },
    )
    if (E.isLeft(precheck)) return precheck

    let key = request.activationKey ?? newActivationKey()
    for (let attempt = 1; ; attempt += 1) {
      const reserved = await reserve(session, key, orderId, meta)
      if (E.isRight(reserved)) break
      const generatedAgain = request.activationKey === null && reserved.left._tag === 'ActivationKeyTaken' && attempt < GENERATED_KEY_ATTEMPTS
      if (!generatedAgain) return reserved
      key = newActivationKey()
    }

    // The reservation is given back whatever stops the order being written: a refusal, or a fault (a store
    // error, a thrown bug), so that a retry is not told the key is in use by an order that does not exist.
    const created = await session.handle(OrderAggregate, { type: 'CreateOrder', orderId, activationKey: key, terms }, context, meta).catch(async (error: unknown) => {
      await releaseUnlessWritten(session, key, orderId, meta)
      throw error
    })
    if (E.isLeft(created)) {
      await release(session, key, orderId, meta)
      return created
    }
    return E.right(existingOrder(created.right))
  }

  const update = async (session: Session, principal: Principal, command: UpdateOrder, meta: CommandMeta): Promise<E.Either<OrderFailure | Forbidden, ExistingOrder>> => {
    const current = await get(session, command.orderId)
    if (current !== null) {
      // The template named may belong to another product: the change moves the license there.
      const template = await templateOf(session, command.terms.product_template_id)
      const moved = template === null ? E.right(null) : authorizeMove(principal, await liveLicense(session, current), { productId: template.productId, orderId: command.orderId })
      if (E.isLeft(moved)) return moved
    } else {
      const allowed = await mayUseTemplate(session, principal, command.terms.product_template_id, command.orderId)
      if (E.isLeft(allowed)) return allowed
    }
    return pipe(await session.handle(OrderAggregate, command, await contextFor(session, command.terms), meta), E.map(existingOrder))
  }

  /** Seed 000: the serial number and key changes as one atomic change of the order; a new key is reserved first. */
  const changeIdentity = async (session: Session, change: IdentityChange, meta: CommandMeta): Promise<E.Either<OrderFailure, ExistingOrder>> => {
    const { orderId } = change[0]
    const current = await get(session, orderId)
    if (current === null) return E.left({ _tag: 'OrderNotFound', orderId })
    const wanted = change.find((c): c is ChangeActivationKey => c.type === 'ChangeActivationKey')?.activationKey
    const newKey = wanted !== undefined && wanted !== current.activationKey ? wanted : null
    if (newKey !== null) {
      const reserved = await reserve(session, newKey, orderId, meta)
      if (E.isLeft(reserved)) return reserved
    }
    const changed = await session.handle(OrderAggregate, change, await contextFor(session, null), meta).catch(async (error: unknown) => {
      if (newKey !== null) await releaseUnlessWritten(session, newKey, orderId, meta)
      throw error
    })
    if (E.isLeft(changed)) {
      if (newKey !== null) await release(session, newKey, orderId, meta)
      return changed
    }
    for (const event of changed.right.events) {
      // The old key is free once the order has let go of it. Should this fail, the
      // reservation is reclaimed as abandoned the next time someone asks for the key.
      if (event.type === 'ActivationKeyChanged') await release(session, event.data.from, orderId, meta)
    }
    return E.right(existingOrder(changed.right))
  }

  /** The order with its customer and template, as the session has them (read-your-writes). */
  const withRelations = async (session: Session, order: ExistingOrder): Promise<OrderWithRelations> => {
    const [customer, template] = await Promise.all([customers.get(session, order.terms.customer_id), productTemplates.get(session, order.terms.product_template_id)])
    return { order, customer, template }
  }

  return { create, update, changeIdentity, findByKey, reach, get, withRelations }
}
export type Orders = ReturnType<typeof createOrders>
