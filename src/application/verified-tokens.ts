// Tokens presented back, verified once: a heartbeat sends the same token every
// minute for as long as its seat lives, and checking an Ed25519 signature is
// the dearest part of answering it. The claims of a token whose signature
// checked out are remembered, keyed by a hash of the token (never the token
// itself), in a bounded map that forgets the oldest first, each for an hour:
// its expiry is checked at every use, and a token whose memory expired is
// verified afresh. (The token's own exp is not what bounds this: a seat token
// expires with the lease it was issued with, and its client goes on
// heartbeating with it; whether a seat is alive is the server's lease, as
// readToken says.) Nothing about whether the seat is alive or the token
// revoked is remembered: that is the order's state, judged on every request,
// so a revocation holds on the very next heartbeat. The one memory of
// verified tokens: a token the signer signs is remembered as it is signed
// (its claims are those it was signed over), so a new seat's first heartbeat
// and its release need no signature check either.
import * as E from 'fp-ts/Either'
import type { JWTPayload } from 'jose'
import { keepNewest } from './bounded-map.js'
import { readToken, TokenClaims, type TokenRejection } from './license-tokens.js'
import type { TokenSigner } from './signing.js'
import { sha256Text } from './sha256.js'

export const DEFAULT_VERIFIED_TOKENS = 100_000
export const VERIFIED_TOKEN_TTL_MS = 3_600_000

interface Remembered {
  readonly claims: TokenClaims
  /** Until when, in ms since the epoch, the verification is trusted. */
  readonly expiresAt: number
}

export interface VerifiedTokens {
  readonly read: (token: string) => Promise<E.Either<TokenRejection, TokenClaims>>
  /** How many tokens are remembered (for tests and metrics). */
  readonly size: () => number
}

export const createVerifiedTokens = (signer: TokenSigner, clock: () => Date, max = DEFAULT_VERIFIED_TOKENS, ttlMs = VERIFIED_TOKEN_TTL_MS): VerifiedTokens => {
  const remembered = new Map<string, Remembered>()

  /** Only what the engine reads back (TokenClaims), not the whole payload: a hundred thousand of them stay small. */
  const remember = (key: string, claims: TokenClaims): TokenClaims => {
    const { sub, jti, kind, client, machine } = claims
    const compact: TokenClaims = { sub, jti, kind, client: { id: client.id }, machine: { id: machine.id } }
    keepNewest(remembered, key, { claims: compact, expiresAt: clock().getTime() + ttlMs }, max)
    return compact
  }
  // What is signed here is known good (the signer sets its issuer): remembered as readToken would read it back,
  // and a payload readToken would refuse is not remembered.
  signer.onSigned((token: string, payload: JWTPayload) => {
    const claims = TokenClaims.decode(payload)
    if (E.isRight(claims)) remember(sha256Text(token, 'base64url'), claims.right)
  })

  const read = async (token: string): Promise<E.Either<TokenRejection, TokenClaims>> => {
    const key = sha256Text(token, 'base64url')
    const known = remembered.get(key)
    if (known !== undefined) {
      const now = clock().getTime()
      // A clock set back (tests, or a correction) must not stretch a memory either.
      if (known.expiresAt > now && known.expiresAt - ttlMs <= now) return E.right(known.claims)
      remembered.delete(key)
    }
    const claims = await readToken(signer, token)
    return E.isLeft(claims) ? claims : E.right(remember(key, claims.right))
  }

  return { read, size: () => remembered.size }
}
