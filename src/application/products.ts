// Products' settings for seed 004, each product in its own stream. Whether a
// product exists at all is a matter of its product templates (read models);
// this service only keeps what the vendor configured.
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { productDecider, productStream, type ProductSettings, type ProductState } from '../domain/product/index.js'
import { ProductAggregate } from './aggregates.js'
import type { CommandHandler, ConcurrencyConflict } from './command-handler.js'
import type { CommandMeta } from './metadata.js'

export const createProducts = (handler: CommandHandler) => ({
  configure: async (productId: string, settings: ProductSettings, meta: CommandMeta): Promise<E.Either<ConcurrencyConflict, ProductState>> =>
    pipe(
      await handler.execute(
        ProductAggregate,
        productStream(productId),
        (state, now) => productDecider.decide({ type: 'ConfigureProduct', productId, ...settings }, state, { now }),
        meta,
      ),
      E.map((executed) => executed.state),
    ),
  /** The product's settings; the defaults when nobody configured it. */
  get: async (productId: string): Promise<ProductState> => (await handler.load(ProductAggregate, productStream(productId))).state,
})
export type Products = ReturnType<typeof createProducts>
