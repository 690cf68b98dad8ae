// License orders: creation and updates of their terms, changes of activation
// key and serial number. A key is reserved in its own stream before the order
// takes it, so two orders racing for one key get one success and one conflict.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { v4 as uuid } from 'uuid'
import { activationKeyDecider, activationKeyStream, type ActivationKey, type ActivationKeyError } from '../domain/activation-key/index.js'
import { decideAll } from '../domain/decider.js'
import {
  orderDecider,
  orderStream,
  type ExistingOrder,
  type OrderCommand,
  type OrderContext,
  type OrderError,
  type OrderState,
  type OrderTerms,
} from '../domain/order/index.js'
import { ActivationKeyAggregate, OrderAggregate } from './aggregates.js'
import type { CommandHandler, ConcurrencyConflict, Executed } from './command-handler.js'
import type { Customers, ProductTemplates } from './customers.js'
import { generateActivationKey } from './ids.js'
import type { CommandMeta } from './metadata.js'

export type OrderFailure = OrderError | ActivationKeyError | ConcurrencyConflict

export interface OrdersOptions {
  readonly handler: CommandHandler
  readonly customers: Customers
  readonly productTemplates: ProductTemplates
  readonly clock: () => Date
  /** How long a fresh reservation is protected while its order is being written (default 60 s). */
  readonly reservationGraceMs?: number
  readonly newOrderId?: () => string
  readonly newActivationKey?: () => ActivationKey
}

export interface IdentityChange {
  readonly serialNumber?: string
  readonly activationKey?: ActivationKey
}

const GENERATED_KEY_ATTEMPTS = 5

/** A decision on an order that succeeded leaves an order behind. */
const existingOrder = (executed: Executed<OrderState, unknown>): ExistingOrder => executed.state as ExistingOrder

export const createOrders = (options: OrdersOptions) => {
  const { handler, customers, productTemplates, clock } = options
  const graceMs = options.reservationGraceMs ?? 60_000
  const newOrderId = options.newOrderId ?? uuid
  const newActivationKey = options.newActivationKey ?? generateActivationKey

  const contextFor = async (terms: OrderTerms | null): Promise<OrderContext> => {
    if (terms === null) return { now: clock(), existing: { customers: new Set(), productTemplates: new Set() } }
    const [customer, template] = await Promise.all([customers.get(terms.customer_id), productTemplates.get(terms.product_template_id)])
    return {
      now: clock(),
      existing: {
        customers: new Set(customer === null ? [] : [terms.customer_id]),
        productTemplates: new Set(template === null ? [] : [terms.product_template_id]),
      },
    }
  }

  const get = async (orderId: string): Promise<ExistingOrder | null> => {
    const { state } = await handler.load(OrderAggregate, orderStream(orderId))
    return state.exists ? state : null
  }

  /** An earlier holder that holds the key without using it, past the grace period; null otherwise. */
  const abandonedHolder = async (key: ActivationKey, orderId: string): Promise<string | null> => {
    const { state } = await handler.load(ActivationKeyAggregate, activationKeyStream(key))
    if (state.holder === null || state.holder === orderId) return null
    const holder = await get(state.holder)
    if (holder !== null && holder.activationKey === key) return null
    const age = clock().getTime() - Date.parse(state.reservedAt ?? '')
    return age > graceMs ? state.holder : null
  }

  const reserve = async (key: ActivationKey, orderId: string, meta: CommandMeta) => {
    const abandonedBy = await abandonedHolder(key, orderId)
    return handler.execute(
      ActivationKeyAggregate,
      activationKeyStream(key),
      (state, now) => activationKeyDecider.decide({ type: 'ReserveActivationKey', key, orderId }, state, { now, abandonedBy }),
      meta,
    )
  }

  const release = (key: ActivationKey, orderId: string, meta: CommandMeta) =>
    handler.execute(
      ActivationKeyAggregate,
      activationKeyStream(key),
      (state, now) => activationKeyDecider.decide({ type: 'ReleaseActivationKey', key, orderId }, state, { now, abandonedBy: null }),
      meta,
    )

  const decideOrder = (orderId: string, commands: readonly OrderCommand[], context: OrderContext, meta: CommandMeta) =>
    handler.execute(OrderAggregate, orderStream(orderId), (state, now) => decideAll(orderDecider)(commands, state, { ...context, now }), meta)

  const create = async (
    terms: OrderTerms,
    requestedKey: ActivationKey | null,
    meta: CommandMeta,
  ): Promise<E.Either<OrderFailure, ExistingOrder>> => {
    const orderId = newOrderId()
    const context = await contextFor(terms)
    // Refuse bad references before a key is reserved for an order that will not exist.
    const precheck = orderDecider.decide(
      { type: 'CreateOrder', orderId, activationKey: requestedKey ?? newActivationKey(), terms },
      orderDecider.initialState,
      context,
    )
    if (E.isLeft(precheck)) return precheck

    let key = requestedKey ?? newActivationKey()
    for (let attempt = 1; ; attempt += 1) {
      const reserved = await reserve(key, orderId, meta)
      if (E.isRight(reserved)) break
      const generatedAgain = requestedKey === null && reserved.left._tag === 'ActivationKeyTaken' && attempt < GENERATED_KEY_ATTEMPTS
      if (!generatedAgain) return reserved
      key = newActivationKey()
    }

    const created = await decideOrder(orderId, [{ type: 'CreateOrder', orderId, activationKey: key, terms }], context, meta)
    if (E.isLeft(created)) {
      await release(key, orderId, meta)
      return created
    }
    return E.right(existingOrder(created.right))
  }

  const update = async (orderId: string, terms: OrderTerms, meta: CommandMeta): Promise<E.Either<OrderFailure, ExistingOrder>> => {
    const updated = await decideOrder(orderId, [{ type: 'UpdateOrder', orderId, terms }], await contextFor(terms), meta)
    return pipe(updated, E.map(existingOrder))
  }

  /** Seed 000: a new serial number, a new activation key, or both, in one atomic change of the order. */
  const changeIdentity = async (
    orderId: string,
    change: IdentityChange,
    meta: CommandMeta,
  ): Promise<E.Either<OrderFailure, ExistingOrder>> => {
    const current = await get(orderId)
    if (current === null) return E.left({ _tag: 'OrderNotFound', orderId })
    const newKey = change.activationKey !== undefined && change.activationKey !== current.activationKey ? change.activationKey : null
    if (newKey !== null) {
      const reserved = await reserve(newKey, orderId, meta)
      if (E.isLeft(reserved)) return reserved
    }
    const commands: OrderCommand[] = []
    if (change.serialNumber !== undefined) commands.push({ type: 'ChangeSerialNumber', orderId, serialNumber: change.serialNumber })
    if (change.activationKey !== undefined) commands.push({ type: 'ChangeActivationKey', orderId, activationKey: change.activationKey })
    const changed = await decideOrder(orderId, commands, await contextFor(null), meta)
    if (E.isLeft(changed)) {
      if (newKey !== null) await release(newKey, orderId, meta)
      return changed
    }
    for (const event of changed.right.events) {
      // The old key is free once the order has let go of it. Should this fail, the
      // reservation is reclaimed as abandoned the next time someone asks for the key.
      if (event.type === 'ActivationKeyChanged') await release(event.data.from, orderId, meta)
    }
    return E.right(existingOrder(changed.right))
  }

  /** The order that holds this key now, read from the key's own stream (no projection lag). */
  const findByKey = async (key: string): Promise<ExistingOrder | null> => {
    const { state } = await handler.load(ActivationKeyAggregate, activationKeyStream(key))
    if (state.holder === null) return null
    const order = await get(state.holder)
    return order !== null && order.activationKey === key ? order : null
  }

  return { create, update, changeIdentity, findByKey, get }
}
export type Orders = ReturnType<typeof createOrders>
