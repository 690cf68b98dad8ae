import * as E from 'fp-ts/Either'
import type { Decider, TimeContext } from '../decider.js'
import type { CustomerCommand } from './commands.js'
import type { CustomerEvent } from './events.js'
import type { CustomerProfile } from './profile.js'

export type CustomerState =
  | { readonly exists: false }
  | { readonly exists: true; readonly customerId: number; readonly profile: CustomerProfile; readonly createdAt: string }

export type ExistingCustomer = Extract<CustomerState, { readonly exists: true }>

export type CustomerError =
  | { readonly _tag: 'CustomerAlreadyExists'; readonly customerId: number }
  | { readonly _tag: 'CustomerNotFound'; readonly customerId: number }

const sameProfile = (a: CustomerProfile, b: CustomerProfile): boolean => JSON.stringify(a) === JSON.stringify(b)

export const customerDecider: Decider<CustomerCommand, CustomerState, CustomerEvent, CustomerError, TimeContext> = {
  initialState: { exists: false },
  evolve: (state, event) => {
    switch (event.type) {
      case 'CustomerCreated':
        return { exists: true, customerId: event.data.customerId, profile: event.data.profile, createdAt: event.data.at }
      case 'CustomerUpdated':
        return state.exists ? { ...state, profile: event.data.profile } : state
    }
  },
  decide: (command, state, { now }) => {
    const at = now.toISOString()
    switch (command.type) {
      case 'CreateCustomer':
        return state.exists
          ? E.left({ _tag: 'CustomerAlreadyExists', customerId: command.customerId })
          : E.right([{ type: 'CustomerCreated', data: { customerId: command.customerId, profile: command.profile, at } }])
      case 'UpdateCustomer':
        if (!state.exists) return E.left({ _tag: 'CustomerNotFound', customerId: command.customerId })
        return sameProfile(state.profile, command.profile)
          ? E.right([])
          : E.right([{ type: 'CustomerUpdated', data: { customerId: command.customerId, profile: command.profile, at } }])
    }
  },
}
