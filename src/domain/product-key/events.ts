// Facts of a product's activation-token key pair (`productKey-<productId>`):
// the RSA key pair seed 003's activation tokens are signed with (RS256), one
// per product, as Cryptlex clients verify a token with their product's public
// key. The private key is kept only sealed under the engine's secret key.
import * as t from 'io-ts'
import { Instant } from '../codecs.js'
import { ProductId } from '../product-template/events.js'
import type { EventSchemas } from '../versioning.js'
import { SealedSecret } from '../webhook-endpoint/events.js'

/** A PEM block, as keys are written. */
export const Pem = t.refinement(t.string, (s) => /^-----BEGIN [A-Z ]+-----\n[\s\S]+\n-----END [A-Z ]+-----\n?$/.test(s), 'a PEM block')

/** The public key as SPKI PEM, which vendors embed in their apps; the private key as PKCS#8 PEM, sealed. */
export const ProductKeyPair = t.type({ alg: t.literal('RS256'), publicKey: Pem, privateKey: SealedSecret })
export type ProductKeyPair = t.TypeOf<typeof ProductKeyPair>

export const ProductKeyPairGenerated = t.type({
  type: t.literal('ProductKeyPairGenerated'),
  data: t.intersection([t.type({ productId: ProductId, at: Instant }), ProductKeyPair]),
})

export const ProductKeyEvent = ProductKeyPairGenerated
export type ProductKeyEvent = t.TypeOf<typeof ProductKeyEvent>

export const productKeySchemas: EventSchemas<ProductKeyEvent['type']> = {
  versions: { ProductKeyPairGenerated: 1 },
  upcasters: {},
}
