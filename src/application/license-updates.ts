// Seed 004's license updates: find the license by its activation code under
// its product, check the credential may reach it, and decide the e-mail and
// data changes on the order's stream against the product's settings, as one
// atomic append. Nothing is written unless every change is accepted.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { mayReach, type ApiKeyScope } from '../domain/api-key/index.js'
import { decideAll } from '../domain/decider.js'
import {
  licenseUpdateDecider,
  orderStream,
  type ExistingOrder,
  type LicenseUpdateCommand,
  type LicenseUpdateError,
} from '../domain/order/index.js'
import { targetOfOrder } from './access.js'
import { OrderAggregate } from './aggregates.js'
import type { CommandHandler, ConcurrencyConflict } from './command-handler.js'
import type { ProductTemplates } from './customers.js'
import type { CommandMeta } from './metadata.js'
import type { Orders } from './orders.js'
import type { Products } from './products.js'

export interface LicenseUpdate {
  readonly productId: string
  /** The license's activation code. */
  readonly licenseId: string
  readonly newEmail?: string
  readonly newLicenseData?: string
  /** Canonical (see ip-address.ts). */
  readonly userIp: string
  readonly test: boolean
  readonly sendNotice: boolean
}

/** No such license under this product, or none this credential may reach: the same answer, so nothing leaks. */
export type LicenseNotFound = { readonly _tag: 'LicenseNotFound' }

export type LicenseUpdateFailure = LicenseUpdateError | LicenseNotFound | ConcurrencyConflict

export interface LicenseUpdatesOptions {
  readonly handler: CommandHandler
  readonly orders: Orders
  readonly productTemplates: ProductTemplates
  readonly products: Products
}

const notFound: E.Either<LicenseUpdateFailure, never> = E.left({ _tag: 'LicenseNotFound' })

export const createLicenseUpdates = ({ handler, orders, productTemplates, products }: LicenseUpdatesOptions) => ({
  update: async (update: LicenseUpdate, scope: ApiKeyScope, meta: CommandMeta): Promise<E.Either<LicenseUpdateFailure, ExistingOrder>> => {
    const order = await orders.findByKey(update.licenseId)
    if (order === null) return notFound
    const target = await targetOfOrder(order, productTemplates)
    if (target.productId !== update.productId || !mayReach(scope, target)) return notFound

    const { settings } = await products.get(update.productId)
    const { orderId } = order
    const { userIp, test } = update
    // The data change is decided first, so that a product without the license-data
    // option answers 403 even to a test event that an active product would refuse with 409.
    const commands: LicenseUpdateCommand[] = []
    if (update.newLicenseData !== undefined) commands.push({ type: 'ChangeLicenseData', orderId, licenseData: update.newLicenseData, userIp, test })
    if (update.newEmail !== undefined) commands.push({ type: 'ChangeEmail', orderId, email: update.newEmail, userIp, test, sendNotice: update.sendNotice })
    return pipe(
      await handler.execute(
        OrderAggregate,
        orderStream(orderId),
        (state, now) => decideAll(licenseUpdateDecider)(commands, state, { now, product: { productId: update.productId, ...settings } }),
        meta,
      ),
      E.map((executed) => executed.state as ExistingOrder),
    )
  },
})
export type LicenseUpdates = ReturnType<typeof createLicenseUpdates>
