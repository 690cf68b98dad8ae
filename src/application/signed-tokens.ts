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

/**
 * What a token says of its holder: its claims as text, or the holder's record
 * with a way to that text. A record is immutable, so the record the token was
 * last asked for stands for its text: asked again for the same record (info
 * lists every live seat on every call), the text is not built at all.
 */
export type OwnClaims = string | { readonly record: object; readonly text: () => string }

export interface SignedTokens {
  /**
   * The token kept under `id` if it was signed over the same claims (as text: those the order's tokens share,
   * and the token's own) with the signer's current key, else `payload()` signed and kept. A kept token is answered at once, without a promise.
   */
  readonly token: (id: string, shared: string, own: OwnClaims, payload: () => JWTPayload) => string | Promise<string>
  readonly size: () => number
}

interface Kept {
  readonly kid: string
  readonly shared: string
  readonly own: string
  /** The holder's record the token was last asked for (null: asked by text); its claims are `own`. */
  readonly record: object | null
  readonly token: string
}

const textOf = (own: OwnClaims): string => (typeof own === 'string' ? own : own.text())
const recordOf = (own: OwnClaims): object | null => (typeof own === 'string' ? null : own.record)

export const createSignedTokens = (signer: TokenSigner, max = DEFAULT_SIGNED_TOKENS): SignedTokens => {
  const kept = new Map<string, Kept>()

  const sign = async (id: string, shared: string, own: string, record: object | null, payload: () => JWTPayload): Promise<string> => {
    const signed = await signer.sign(payload())
    // Kept under the key the token names: the one that signed it, whatever key the signer has now.
    const kid = String(decodeProtectedHeader(signed).kid)
    keepNewest(kept, id, { kid, shared, own, record, token: signed }, max)
    return signed
  }

  const token = (id: string, shared: string, own: OwnClaims, payload: () => JWTPayload): string | Promise<string> => {
    const known = kept.get(id)
    const record = recordOf(own)
    if (known === undefined || known.kid !== signer.kid || known.shared !== shared) return sign(id, shared, textOf(own), record, payload)
    if (record !== null && known.record === record) return known.token
    const text = textOf(own)
    if (known.own !== text) return sign(id, shared, text, record, payload)
    // The same claims from another record (or as text): remembered under this one, in its place among the kept.
    if (record !== null) kept.set(id, { ...known, record })
    return known.token
  }

  return { token, size: () => kept.size }
}
