// License tokens, signed once and kept: a seat's token changes only when its
// lease is renewed (or the license's terms change), yet seed 002's info lists
// every live seat's token and validate hands one out on every call. Each
// token is kept under its seat's (or activation's) id with the claims it was
// signed over, as text (the order's shared claims, worked out once per call,
// and the seat's own: license-tokens.ts), and the id of the key that signed it;
// the same claims under the same key give the kept token without signing
// (Ed25519 signatures are deterministic, so it is the very token signing would
// give), other claims, or a key rotated since, a new one. Bounded: the least
// recently signed are let go first.
import { decodeProtectedHeader, type JWTPayload } from 'jose'
import { keepNewest } from './bounded-map.js'
import type { TokenSigner } from './signing.js'

export const DEFAULT_SIGNED_TOKENS = 100_000

export interface SignedTokens {
  /**
   * The token kept under `id` if it was signed over the same claims (as text: those the order's tokens share,
   * and the token's own) with the signer's current key, else `payload()` signed and kept. A kept token is answered at once, without a promise.
   */
  readonly token: (id: string, shared: string, own: string, payload: () => JWTPayload) => string | Promise<string>
  readonly size: () => number
}

export const createSignedTokens = (signer: TokenSigner, max = DEFAULT_SIGNED_TOKENS): SignedTokens => {
  const kept = new Map<string, { readonly kid: string; readonly shared: string; readonly own: string; readonly token: string }>()

  const sign = async (id: string, shared: string, own: string, payload: () => JWTPayload): Promise<string> => {
    const signed = await signer.sign(payload())
    // Kept under the key the token names: the one that signed it, whatever key the signer has now.
    const kid = String(decodeProtectedHeader(signed).kid)
    keepNewest(kept, id, { kid, shared, own, token: signed }, max)
    return signed
  }

  const token = (id: string, shared: string, own: string, payload: () => JWTPayload): string | Promise<string> => {
    const known = kept.get(id)
    return known !== undefined && known.kid === signer.kid && known.own === own && known.shared === shared ? known.token : sign(id, shared, own, payload)
  }

  return { token, size: () => kept.size }
}
