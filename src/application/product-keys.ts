// Each product's RSA key pair, which signs seed 003's activation tokens
// (RS256) as Cryptlex clients expect: they verify a token offline with their
// product's public key, embedded in the app. A product's key pair is made the
// first time it is needed (its first activation, or the vendor reading the
// public key) and recorded in the product's key stream, its private key
// sealed with the engine's secret key (secret-box.ts): every node configured
// with the same secret key signs with the same key pair. Opened keys are kept
// in this process, as a key pair never changes once recorded.
import { createPrivateKey, createPublicKey, generateKeyPair as generateRsa, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'
import * as E from 'fp-ts/Either'
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose'
import { productKeyStream, type ProductKeyPair } from '../domain/product-key/index.js'
import { ProductKeyAggregate } from './aggregates.js'
import type { ConcurrencyConflict } from './command-handler.js'
import type { CommandMeta } from './metadata.js'
import type { SecretBox } from './secret-box.js'
import type { Session } from './session.js'

export const PRODUCT_KEY_ALGORITHM = 'RS256'
/** 2048 bits: what Cryptlex's product keys have, and what every RS256 verifier takes. */
const MODULUS_BITS = 2048

export interface ProductSigningKey {
  readonly productId: string
  /** RFC 7638 thumbprint of the public key: the tokens' kid. */
  readonly kid: string
  readonly privateKey: KeyObject
  /** SPKI PEM, as vendors embed it (Cryptlex's sample reads it with a PEM reader). */
  readonly publicKeyPem: string
  readonly jwk: JWK & { readonly kid: string; readonly alg: typeof PRODUCT_KEY_ALGORITHM; readonly use: 'sig' }
}

/** What the private key is sealed for: a sealed key copied to another product does not open. */
const ownerOf = (productId: string): string => `productKey-${productId}`

const newKeyPair = async (): Promise<{ readonly publicKey: string; readonly privateKey: string }> => {
  const { publicKey, privateKey } = await promisify(generateRsa)('rsa', { modulusLength: MODULUS_BITS })
  return { publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }
}

export const createProductKeys = ({ secretBox }: { readonly secretBox: SecretBox }) => {
  const opened = new Map<string, ProductSigningKey>()

  const open = async (productId: string, keyPair: ProductKeyPair): Promise<ProductSigningKey> => {
    const pem = secretBox.open(keyPair.privateKey, ownerOf(productId))
    // A key sealed with a secret key this node is not given is a configuration fault, not the client's.
    if (E.isLeft(pem)) throw new Error(`the activation-token key of product ${productId} does not open (${pem.left._tag}): configure the secret key that sealed it`)
    const privateKey = createPrivateKey(pem.right)
    const exported = await exportJWK(createPublicKey(keyPair.publicKey))
    const kid = await calculateJwkThumbprint(exported)
    return { productId, kid, privateKey, publicKeyPem: keyPair.publicKey, jwk: { ...exported, kid, alg: PRODUCT_KEY_ALGORITHM, use: 'sig' } }
  }

  /** The product's key pair, made and recorded when it has none yet. */
  const keyOf = async (session: Session, productId: string, meta: CommandMeta): Promise<E.Either<Error | ConcurrencyConflict, ProductSigningKey>> => {
    const known = opened.get(productId)
    if (known !== undefined) return E.right(known)
    let { state } = await session.load(ProductKeyAggregate, productKeyStream(productId))
    if (state.keyPair === null) {
      const made = await newKeyPair()
      const sealed = secretBox.seal(made.privateKey, ownerOf(productId))
      const handled = await session.handle(ProductKeyAggregate, { type: 'RecordProductKeyPair', productId, alg: PRODUCT_KEY_ALGORITHM, publicKey: made.publicKey, privateKey: sealed }, {}, meta)
      if (E.isLeft(handled)) return handled
      state = handled.right.state
    }
    // Recorded now (by this request, or first by another): the one every node signs with.
    const key = await open(productId, state.keyPair!)
    opened.set(productId, key)
    return E.right(key)
  }

  return { keyOf }
}
export type ProductKeys = ReturnType<typeof createProductKeys>
