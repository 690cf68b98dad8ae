// Seed 004's license updates: find the license by its activation code under
// its product, check the credential may reach it, and decide the e-mail and
// data changes on the order's stream against the product's settings, as one
// atomic append. Nothing is written unless every change is accepted.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as RNEA from 'fp-ts/ReadonlyNonEmptyArray'
import type { ExistingOrder, LicenseUpdateCommand, LicenseUpdateError } from '../domain/order/index.js'
import { authorize, liveLicense } from './access.js'
import { LicenseUpdateAggregate } from './aggregates.js'
import type { ConcurrencyConflict } from './command-handler.js'
import type { Principal } from './credentials.js'
import type { CommandMeta } from './metadata.js'
import type { Orders } from './orders.js'
import type { Products } from './products.js'
import type { Session } from './session.js'

/** The commands of one update, less the order they concern (found from the license id). */
export type LicenseChange = LicenseUpdateCommand extends infer C ? (C extends LicenseUpdateCommand ? Omit<C, 'orderId'> : never) : never

export interface LicenseUpdate {
  readonly productId: string
  /** The license's activation code. */
  readonly licenseId: string
  /**
   * The changes, in the order they are decided: the data change first, so that a
   * product without the license-data option answers 403 even to a test event
   * that an active product would refuse with 409.
   */
  readonly changes: RNEA.ReadonlyNonEmptyArray<LicenseChange>
}

/** No such license under this product, or none this credential may reach: the same answer, so nothing leaks. */
export type LicenseNotFound = { readonly _tag: 'LicenseNotFound' }

export type LicenseUpdateFailure = LicenseUpdateError | LicenseNotFound | ConcurrencyConflict

export interface LicenseUpdatesOptions {
  readonly orders: Orders
  readonly products: Products
}

const notFound: E.Either<LicenseUpdateFailure, never> = E.left({ _tag: 'LicenseNotFound' })

export const createLicenseUpdates = ({ orders, products }: LicenseUpdatesOptions) => ({
  update: async (session: Session, principal: Principal, update: LicenseUpdate, meta: CommandMeta): Promise<E.Either<LicenseUpdateFailure, ExistingOrder>> => {
    const order = await orders.findByKey(session, update.licenseId)
    if (order === null) return notFound
    const license = await liveLicense(session, order)
    if (license.productId !== update.productId || E.isLeft(authorize(principal, license))) return notFound
    const { settings } = await products.get(session, update.productId)
    const { orderId } = order
    const commands = pipe(
      update.changes,
      RNEA.map((change) => ({ ...change, orderId }) as LicenseUpdateCommand),
    )
    return pipe(
      await session.handle(LicenseUpdateAggregate, commands, { product: { productId: update.productId, ...settings } }, meta),
      E.map((handled) => handled.state as ExistingOrder),
    )
  },
})
export type LicenseUpdates = ReturnType<typeof createLicenseUpdates>
