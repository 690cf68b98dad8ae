// Decides changes to a license order: creation and updates of its terms
// (seed 001), and changes of its activation key and serial number (seed 000).
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { Decider, TimeContext } from '../decider.js'
import type { OrderCommand } from './commands.js'
import type { OrderError } from './errors.js'
import type { OrderEvent } from './events.js'
import { evolveOrder, initialOrderState, type OrderState } from './state.js'
import type { OrderTerms } from './terms.js'

export interface OrderContext extends TimeContext {
  /** Customers and product templates known to exist, among those the command refers to (looked up by the caller). */
  readonly existing: {
    readonly customers: ReadonlySet<number>
    readonly productTemplates: ReadonlySet<number>
  }
}

const checkReferences = (terms: OrderTerms, context: OrderContext): E.Either<OrderError, OrderTerms> => {
  if (!context.existing.customers.has(terms.customer_id)) {
    return E.left({ _tag: 'UnknownCustomer', customerId: terms.customer_id })
  }
  if (!context.existing.productTemplates.has(terms.product_template_id)) {
    return E.left({ _tag: 'UnknownProductTemplate', productTemplateId: terms.product_template_id })
  }
  return E.right(terms)
}

const sameTerms = (a: OrderTerms, b: OrderTerms): boolean => JSON.stringify(a) === JSON.stringify(b)

const noChange: E.Either<OrderError, readonly OrderEvent[]> = E.right([])

export const decideOrder = (
  command: OrderCommand,
  state: OrderState,
  context: OrderContext,
): E.Either<OrderError, readonly OrderEvent[]> => {
  const at = context.now.toISOString()
  const { orderId } = command
  if (command.type === 'CreateOrder') {
    if (state.exists) return E.left({ _tag: 'OrderAlreadyExists', orderId })
    return pipe(
      checkReferences(command.terms, context),
      E.map((terms): readonly OrderEvent[] => [
        { type: 'OrderCreated', data: { orderId, activationKey: command.activationKey, terms, at } },
      ]),
    )
  }
  if (!state.exists) return E.left({ _tag: 'OrderNotFound', orderId })
  switch (command.type) {
    case 'UpdateOrder':
      if (sameTerms(state.terms, command.terms)) return noChange
      return pipe(
        checkReferences(command.terms, context),
        E.map((terms): readonly OrderEvent[] => [{ type: 'OrderUpdated', data: { orderId, terms, at } }]),
      )
    case 'ChangeActivationKey':
      if (state.activationKey === command.activationKey) return noChange
      return E.right([
        { type: 'ActivationKeyChanged', data: { orderId, from: state.activationKey, to: command.activationKey, at } },
      ])
    case 'ChangeSerialNumber':
      if (state.serialNumber === command.serialNumber) return noChange
      return E.right([
        { type: 'SerialNumberChanged', data: { orderId, from: state.serialNumber, to: command.serialNumber, at } },
      ])
  }
}

export const orderDecider: Decider<OrderCommand, OrderState, OrderEvent, OrderError, OrderContext> = {
  initialState: initialOrderState,
  evolve: evolveOrder,
  decide: decideOrder,
}
