// Signing license tokens clients can verify offline: compact JWS (JWT) with
// Ed25519 ("EdDSA"), through jose. The public key is published as a JWK set
// whose kid is the key's RFC 7638 thumbprint. Ed25519 signatures are
// deterministic, so the same claims always give the same token.
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { compactVerify, decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose'

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
}

/** RFC 7638: SHA-256 over the required members in lexical order. */
const thumbprint = (jwk: { readonly crv: string; readonly kty: string; readonly x: string }): string =>
  createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).digest('base64url')

export const isEd25519 = (key: KeyObject): boolean => key.type === 'private' && key.asymmetricKeyType === 'ed25519'

export const createTokenSigner = (privateKey: KeyObject): TokenSigner => {
  if (!isEd25519(privateKey)) throw new Error('the signing key must be an Ed25519 private key')
  const publicKey = createPublicKey(privateKey)
  const exported = publicKey.export({ format: 'jwk' }) as { kty: 'OKP'; crv: 'Ed25519'; x: string }
  const kid = thumbprint(exported)
  const jwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: exported.x, kid, alg: TOKEN_ALGORITHM, use: 'sig' }

  const sign = (payload: JWTPayload): Promise<string> =>
    new SignJWT(payload).setProtectedHeader({ alg: TOKEN_ALGORITHM, kid, typ: 'JWT' }).setIssuer(TOKEN_ISSUER).sign(privateKey)

  const verify = async (token: string): Promise<E.Either<TokenProblem, JWTPayload>> => {
    let header: ReturnType<typeof decodeProtectedHeader>
    try {
      header = decodeProtectedHeader(token)
    } catch {
      return E.left('malformed')
    }
    if (header.kid !== kid) return E.left('unknown-key')
    if (header.alg !== TOKEN_ALGORITHM) return E.left('bad-signature')
    let payload: JWTPayload
    try {
      const verified = await compactVerify(token, publicKey, { algorithms: [TOKEN_ALGORITHM] })
      payload = JSON.parse(new TextDecoder().decode(verified.payload)) as JWTPayload
    } catch {
      return E.left('bad-signature')
    }
    if (typeof payload !== 'object' || payload === null) return E.left('malformed')
    return payload.iss === TOKEN_ISSUER ? E.right(payload) : E.left('wrong-issuer')
  }

  return { kid, sign, verify, jwks: () => ({ keys: [jwk] }) }
}

/** A fresh key, for tests and for a service started without one. */
export const generateSigningKey = (): KeyObject => generateKeyPairSync('ed25519').privateKey
