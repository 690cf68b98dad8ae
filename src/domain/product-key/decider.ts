// Decides a product's activation-token key pair. The key material is made
// outside the domain (randomness); the decider records the first one offered,
// so two nodes racing to make a product's key pair agree on the first.
import * as E from 'fp-ts/Either'
import type { Decider, TimeContext } from '../decider.js'
import type { ProductKeyEvent, ProductKeyPair } from './events.js'

export interface ProductKeyState {
  /** null until the product's first activation token is signed (or its public key is read). */
  readonly keyPair: ProductKeyPair | null
}

export type ProductKeyCommand = { readonly type: 'RecordProductKeyPair'; readonly productId: string } & ProductKeyPair

export const initialProductKeyState: ProductKeyState = { keyPair: null }

export const productKeyDecider: Decider<ProductKeyCommand, ProductKeyState, ProductKeyEvent, never, TimeContext> = {
  initialState: initialProductKeyState,
  evolve: (state, { data: { alg, publicKey, privateKey } }) => (state.keyPair === null ? { keyPair: { alg, publicKey, privateKey } } : state),
  decide: ({ productId, alg, publicKey, privateKey }, state, { now }) =>
    state.keyPair !== null ? E.right([]) : E.right([{ type: 'ProductKeyPairGenerated', data: { productId, alg, publicKey, privateKey, at: now.toISOString() } }]),
}
