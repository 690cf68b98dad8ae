// Decides a product's settings. A product nobody configured has the defaults:
// ACTIVE, so a test event cannot change a production license before the vendor
// has said the product is in test; and the license-data option off, so data
// changes are opted into, as the seed's 403 implies.
import * as E from 'fp-ts/Either'
import type { Decider, TimeContext } from '../decider.js'
import type { ProductEvent, ProductSettings } from './events.js'

export const DEFAULT_PRODUCT_SETTINGS: ProductSettings = { status: 'active', licenseDataEnabled: false }

export interface ProductState {
  readonly settings: ProductSettings
  /** When the settings were last changed; null while they are the defaults nobody chose. */
  readonly configuredAt: string | null
}

export type ProductCommand = { readonly type: 'ConfigureProduct'; readonly productId: string } & ProductSettings

export const initialProductState: ProductState = { settings: DEFAULT_PRODUCT_SETTINGS, configuredAt: null }

export const productDecider: Decider<ProductCommand, ProductState, ProductEvent, never, TimeContext> = {
  initialState: initialProductState,
  evolve: (_state, event) => ({
    settings: { status: event.data.status, licenseDataEnabled: event.data.licenseDataEnabled },
    configuredAt: event.data.at,
  }),
  decide: ({ productId, status, licenseDataEnabled }, state, { now }) => {
    const unchanged = state.configuredAt !== null && state.settings.status === status && state.settings.licenseDataEnabled === licenseDataEnabled
    return unchanged ? E.right([]) : E.right([{ type: 'ProductConfigured', data: { productId, status, licenseDataEnabled, at: now.toISOString() } }])
  },
}
