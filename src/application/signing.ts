// Signing license tokens clients can verify offline: compact JWS (JWT) with
// Ed25519 ("EdDSA"), verified through jose. The public keys are published as a JWK set
// whose kids are the keys' RFC 7638 thumbprints: the current key, which signs,
// and the previous ones, which still verify the tokens they signed (rotation).
// Ed25519 signatures are deterministic, so the same claims always give the same token.
// Signing is node:crypto's, at once: the very token jose's SignJWT makes
// (header and claims as JSON, iss set last), without its promises, its copy of
// the claims and its key conversion on every token.
// A token this signer signed comes back soon (a seat's release, its first
// heartbeats): whoever remembers verified tokens (verified-tokens.ts) hears of
// every token signed here, with its claims, so it needs no signature check
// when it comes back.
import { createHash, createPublicKey, generateKeyPairSync, sign as signBytes, type KeyObject } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { compactVerify, decodeProtectedHeader, type JWTPayload } from 'jose'

export const TOKEN_ISSUER = 'licensing-engine'
export const TOKEN_ALGORITHM = 'EdDSA'

export interface PublicJwk {
  readonly kty: 'OKP'
  readonly crv: 'Ed25519'
  readonly x: string
  readonly kid: string
  readonly alg: typeof TOKEN_ALGORITHM
  readonly use: 'sig'
}

export type TokenProblem = 'malformed' | 'bad-signature' | 'unknown-key' | 'wrong-issuer'

export interface TokenSigner {
  readonly kid: string
  readonly sign: (payload: JWTPayload) => Promise<string>
  /** Checks the signature and the issuer only: what the token says is judged by the caller. */
  readonly verify: (token: string) => Promise<E.Either<TokenProblem, JWTPayload>>
  readonly jwks: () => { readonly keys: readonly PublicJwk[] }
  /** Tells `listener` of every token signed from now on, with the claims it was signed over (iss included). */
  readonly onSigned: (listener: (token: string, claims: JWTPayload) => void) => void
}

/** RFC 7638: SHA-256 over the required members in lexical order. */
const thumbprint = (jwk: { readonly crv: string; readonly kty: string; readonly x: string }): string =>
  createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).digest('base64url')

export const isEd25519 = (key: KeyObject): boolean => key.type === 'private' && key.asymmetricKeyType === 'ed25519'

const publicJwkOf = (publicKey: KeyObject): PublicJwk => {
  const exported = publicKey.export({ format: 'jwk' }) as { kty: 'OKP'; crv: 'Ed25519'; x: string }
  return { kty: 'OKP', crv: 'Ed25519', x: exported.x, kid: thumbprint(exported), alg: TOKEN_ALGORITHM, use: 'sig' }
}

/** Signs with `privateKey`; verifies what it or one of `previousKeys` (public keys) signed, picking the key by kid. */
export const createTokenSigner = (privateKey: KeyObject, previousKeys: readonly KeyObject[] = []): TokenSigner => {
  if (!isEd25519(privateKey)) throw new Error('the signing key must be an Ed25519 private key')
  const publicKey = createPublicKey(privateKey)
  const jwk = publicJwkOf(publicKey)
  const kid = jwk.kid
  // The current key first; a previous key given twice, or equal to the current one, is listed once.
  const verifying = new Map<string, { readonly jwk: PublicJwk; readonly publicKey: KeyObject }>([[kid, { jwk, publicKey }]])
  for (const previous of previousKeys) {
    if (previous.type !== 'public' || previous.asymmetricKeyType !== 'ed25519') throw new Error('a previous signing key must be an Ed25519 public key')
    const previousJwk = publicJwkOf(previous)
    if (!verifying.has(previousJwk.kid)) verifying.set(previousJwk.kid, { jwk: previousJwk, publicKey: previous })
  }
  const keys = [...verifying.values()].map((entry) => entry.jwk)

  const listeners: ((token: string, claims: JWTPayload) => void)[] = []
  const header = Buffer.from(JSON.stringify({ alg: TOKEN_ALGORITHM, kid, typ: 'JWT' })).toString('base64url')
  const sign = async (payload: JWTPayload): Promise<string> => {
    const claims: JWTPayload = { ...payload }
    claims.iss = TOKEN_ISSUER
    for (const claim of ['iat', 'nbf', 'exp'] as const) {
      const value = claims[claim]
      if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`"${claim}" claim must be a finite number`)
    }
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
    const token = `${input}.${signBytes(null, Buffer.from(input), privateKey).toString('base64url')}`
    for (const listener of listeners) listener(token, claims)
    return token
  }

  const verify = async (token: string): Promise<E.Either<TokenProblem, JWTPayload>> => {
    let header: ReturnType<typeof decodeProtectedHeader>
    try {
      header = decodeProtectedHeader(token)
    } catch {
      return E.left('malformed')
    }
    const key = typeof header.kid === 'string' ? verifying.get(header.kid) : undefined
    if (key === undefined) return E.left('unknown-key')
    if (header.alg !== TOKEN_ALGORITHM) return E.left('bad-signature')
    let payload: JWTPayload
    try {
      const verified = await compactVerify(token, key.publicKey, { algorithms: [TOKEN_ALGORITHM] })
      payload = JSON.parse(new TextDecoder().decode(verified.payload)) as JWTPayload
    } catch {
      return E.left('bad-signature')
    }
    if (typeof payload !== 'object' || payload === null) return E.left('malformed')
    return payload.iss === TOKEN_ISSUER ? E.right(payload) : E.left('wrong-issuer')
  }

  return { kid, sign, verify, jwks: () => ({ keys }), onSigned: (listener) => void listeners.push(listener) }
}

/** A fresh key, for tests and for a service started without one. */
export const generateSigningKey = (): KeyObject => generateKeyPairSync('ed25519').privateKey
