// Admin API: products' settings for seed 004.
//   PUT /products/{product_id}   {"status": "test" | "active", "license_data_enabled": bool}
//   GET /products/{product_id}
//   GET /products/{product_id}/activation-key   the public key of seed 003's activation tokens (PEM, JWK)
// A product is a product_id that product templates name; any other is 404.
// A product nobody configured is active, without the license-data option.
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { Router, type Request } from 'express'
import { ProductSettings, type ProductState } from '../../domain/product/index.js'
import { ProductId } from '../../domain/product-template/index.js'
import { metaOf } from '../call.js'
import { decodeExactIn } from '../decode.js'
import type { HttpDeps } from '../deps.js'
import { jsonBody } from '../json-body.js'
import { reply, type Reply } from '../reply.js'
import { adminEndpoints } from './auth.js'
import { adminDialect as dialect } from './dialect.js'
import { adminFailure } from './failures.js'

/** The settings as the admin API names them, decoded with the product settings' own codecs. */
export const SettingsInput = t.type({ status: ProductSettings.props.status, license_data_enabled: ProductSettings.props.licenseDataEnabled })

const decode = decodeExactIn(dialect)

export const createProductsRouter = ({ services, reads, idempotency }: HttpDeps): Router => {
  const router = Router()
  const admin = adminEndpoints({ services, idempotency })

  const productBody = (productId: string, product: ProductState) => ({
    product_id: productId,
    status: product.settings.status,
    license_data_enabled: product.settings.licenseDataEnabled,
    configured_at: product.configuredAt,
    product_template_ids: reads.products.templateIdsOf(productId),
  })

  /** The product id of the path, when product templates name it. */
  const knownProduct = async (req: Request): Promise<E.Either<Reply, string>> => {
    const productId = ProductId.decode(String(req.params.product_id))
    if (E.isLeft(productId)) return E.left(dialect.problem(400, { fields: [{ field: 'product_id', message: 'must be a product id of 1 to 64 characters' }] }))
    await reads.fresh()
    return reads.products.exists(productId.right)
      ? E.right(productId.right)
      : E.left(dialect.problem(404, { detail: `no product template has product_id ${productId.right}` }))
  }

  router.put(
    '/products/:product_id',
    jsonBody(dialect),
    admin.write(async (call) => {
      const settings = decode(SettingsInput, call.req.body ?? {})
      if (E.isLeft(settings)) return settings.left
      const productId = await knownProduct(call.req)
      if (E.isLeft(productId)) return productId.left
      const { status, license_data_enabled: licenseDataEnabled } = settings.right
      const configured = await services.products.configure(call.session, { type: 'ConfigureProduct', productId: productId.right, status, licenseDataEnabled }, metaOf(call))
      return E.isLeft(configured) ? adminFailure(configured.left) : reply(200, productBody(productId.right, configured.right))
    }),
  )

  router.get(
    '/products/:product_id',
    admin.read(async ({ req, session }) => {
      const productId = await knownProduct(req)
      if (E.isLeft(productId)) return productId.left
      return reply(200, productBody(productId.right, await services.products.get(session, productId.right)))
    }),
  )

  router.get(
    '/products/:product_id/activation-key',
    admin.read(async (call) => {
      const productId = await knownProduct(call.req)
      if (E.isLeft(productId)) return productId.left
      const key = await services.productKeys.keyOf(call.session, productId.right, metaOf(call))
      if (E.isLeft(key)) return key.left instanceof Error ? dialect.problem(500) : adminFailure(key.left)
      const { kid, publicKeyPem, jwk } = key.right
      return reply(200, { product_id: productId.right, alg: jwk.alg, kid, public_key_pem: publicKeyPem, jwk })
    }),
  )

  return router
}
