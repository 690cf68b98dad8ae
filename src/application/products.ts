// Products' settings for seed 004, each product in its own stream. Whether a
// product exists at all is a matter of its product templates (read models);
// this service only keeps what the vendor configured.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { productStream, type ProductCommand, type ProductState } from '../domain/product/index.js'
import { ProductAggregate } from './aggregates.js'
import type { ConcurrencyConflict } from './command-handler.js'
import type { CommandMeta } from './metadata.js'
import type { Session } from './session.js'

export const createProducts = () => ({
  configure: async (session: Session, command: ProductCommand, meta: CommandMeta): Promise<E.Either<ConcurrencyConflict, ProductState>> =>
    pipe(
      await session.handle(ProductAggregate, command, {}, meta),
      E.map((handled) => handled.state),
    ),
  /** The product's settings; the defaults when nobody configured it. */
  get: async (session: Session, productId: string): Promise<ProductState> => (await session.load(ProductAggregate, productStream(productId))).state,
})
export type Products = ReturnType<typeof createProducts>
