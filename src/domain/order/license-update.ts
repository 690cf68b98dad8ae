// Decides seed 004's license updates on a license order's stream. They have a
// decider of their own over the order's state because they are decided against
// the settings of the order's product too (looked up by the caller, like the
// references of an order's terms): the license-data option, and whether the
// product is in test or active.
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { Bool, Email } from '../codecs.js'
import type { Decider, TimeContext } from '../decider.js'
import { IpAddress } from '../ip-address.js'
import type { ProductSettings } from '../product/events.js'
import type { OrderError } from './errors.js'
import type { OrderEvent } from './events.js'
import { LicenseData } from './license-events.js'
import { evolveOrder, initialOrderState, type OrderState } from './state.js'

export const ChangeEmail = t.type({
  type: t.literal('ChangeEmail'),
  orderId: t.string,
  email: Email,
  userIp: IpAddress,
  test: Bool,
  sendNotice: Bool,
})

export const ChangeLicenseData = t.type({
  type: t.literal('ChangeLicenseData'),
  orderId: t.string,
  licenseData: LicenseData,
  userIp: IpAddress,
  test: Bool,
})

export const LicenseUpdateCommand = t.union([ChangeEmail, ChangeLicenseData])
export type LicenseUpdateCommand = t.TypeOf<typeof LicenseUpdateCommand>

export interface LicenseUpdateContext extends TimeContext {
  /** The settings of the product the order belongs to. */
  readonly product: { readonly productId: string } & ProductSettings
}

export type LicenseUpdateError =
  | Extract<OrderError, { readonly _tag: 'OrderNotFound' }>
  | { readonly _tag: 'LicenseDataNotEnabled'; readonly productId: string }
  | { readonly _tag: 'TestEventOnActiveProduct'; readonly productId: string }

export const decideLicenseUpdate = (
  command: LicenseUpdateCommand,
  state: OrderState,
  { now, product }: LicenseUpdateContext,
): E.Either<LicenseUpdateError, readonly OrderEvent[]> => {
  const { orderId, userIp, test } = command
  if (!state.exists) return E.left({ _tag: 'OrderNotFound', orderId })
  if (command.type === 'ChangeLicenseData' && !product.licenseDataEnabled) {
    return E.left({ _tag: 'LicenseDataNotEnabled', productId: product.productId })
  }
  // A test event may change the licenses of a product in test only; a product in production keeps them as they are.
  if (test && product.status === 'active') return E.left({ _tag: 'TestEventOnActiveProduct', productId: product.productId })
  const at = now.toISOString()
  switch (command.type) {
    case 'ChangeEmail': {
      const from = state.email ?? null
      if (from === command.email) return E.right([])
      return E.right([{ type: 'LicenseEmailChanged', data: { orderId, from, to: command.email, userIp, sendNotice: command.sendNotice, test, at } }])
    }
    case 'ChangeLicenseData': {
      const from = state.licenseData ?? null
      if (from === command.licenseData) return E.right([])
      return E.right([{ type: 'LicenseDataChanged', data: { orderId, from, to: command.licenseData, userIp, test, at } }])
    }
  }
}

export const licenseUpdateDecider: Decider<LicenseUpdateCommand, OrderState, OrderEvent, LicenseUpdateError, LicenseUpdateContext> = {
  initialState: initialOrderState,
  evolve: evolveOrder,
  decide: decideLicenseUpdate,
}
