import * as E from 'fp-ts/Either'
import type { Decider, TimeContext } from '../decider.js'
import type { ProductTemplateCommand } from './commands.js'
import type { ProductTemplateEvent } from './events.js'

export type ProductTemplateState =
  | { readonly exists: false }
  | { readonly exists: true; readonly templateId: number; readonly name: string; readonly productId: string; readonly createdAt: string }

export type ExistingProductTemplate = Extract<ProductTemplateState, { readonly exists: true }>

export type ProductTemplateError = { readonly _tag: 'ProductTemplateAlreadyExists'; readonly templateId: number }

export const productTemplateDecider: Decider<
  ProductTemplateCommand,
  ProductTemplateState,
  ProductTemplateEvent,
  ProductTemplateError,
  TimeContext
> = {
  initialState: { exists: false },
  evolve: (_state, event) => ({
    exists: true,
    templateId: event.data.templateId,
    name: event.data.name,
    productId: event.data.productId,
    createdAt: event.data.at,
  }),
  decide: (command, state, { now }) =>
    state.exists
      ? E.left({ _tag: 'ProductTemplateAlreadyExists', templateId: command.templateId })
      : E.right([
          {
            type: 'ProductTemplateCreated',
            data: { templateId: command.templateId, name: command.name, productId: command.productId, at: now.toISOString() },
          },
        ]),
}
