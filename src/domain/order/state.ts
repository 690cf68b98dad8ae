// The state of a license order, folded from its events.
import type { ActivationKey } from '../activation-key/key.js'
import type { OrderEvent } from './events.js'
import type { OrderTerms } from './terms.js'
import { emptyUsage, evolveUsage, type OrderUsage } from './usage.js'

export interface ExistingOrder {
  readonly exists: true
  readonly orderId: string
  readonly activationKey: ActivationKey
  readonly serialNumber: string | null
  readonly terms: OrderTerms
  readonly createdAt: string
  readonly updatedAt: string
  /** Activations and seats: who uses the license. */
  readonly usage: OrderUsage
  /** Seed 004: the e-mail the license is registered to; absent until one is set. */
  readonly email?: string
  /** Seed 004: the vendor's data attached to the license; absent until set. */
  readonly licenseData?: string
}

export type OrderState = { readonly exists: false } | ExistingOrder

export const initialOrderState: OrderState = { exists: false }

export const evolveOrder = (state: OrderState, event: OrderEvent): OrderState => {
  if (event.type === 'OrderCreated') {
    const { orderId, activationKey, terms, at } = event.data
    return { exists: true, orderId, activationKey, serialNumber: null, terms, createdAt: at, updatedAt: at, usage: emptyUsage }
  }
  if (!state.exists) return state
  switch (event.type) {
    case 'OrderUpdated':
      return { ...state, terms: event.data.terms, updatedAt: event.data.at }
    case 'ActivationKeyChanged':
      return { ...state, activationKey: event.data.to, updatedAt: event.data.at }
    case 'SerialNumberChanged':
      return { ...state, serialNumber: event.data.to, updatedAt: event.data.at }
    case 'LicenseEmailChanged':
      return { ...state, email: event.data.to, updatedAt: event.data.at }
    case 'LicenseDataChanged':
      return { ...state, licenseData: event.data.to, updatedAt: event.data.at }
    default:
      return { ...state, usage: evolveUsage(state.usage, event) }
  }
}
