// API keys: issued with a scope, stored as a SHA-256 hash of the secret,
// revocable, optionally expiring. The token names its key id, so checking one
// reads that key's stream directly and never scans. LICENSING_ADMIN_TOKEN is
// an admin credential accepted wherever an API key is.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { apiKeyStream, credentialProblem, type ApiKeyError, type ApiKeyScope, type ExistingApiKey } from '../domain/api-key/index.js'
import { ApiKeyAggregate } from './aggregates.js'
import type { ConcurrencyConflict } from './command-handler.js'
import type { CommandMeta } from './metadata.js'
import type { Session } from './session.js'
import { sha256Bytes } from './sha256.js'

export interface Principal {
  /** Recorded as the actor of every event the principal causes. */
  readonly credentialId: string
  readonly scope: ApiKeyScope
}

/**
 * Why a credential was refused. A client hears one answer for an unknown, a
 * revoked and an expired one (telling them apart would tell a thief which
 * stolen keys once worked); the reason is for the log.
 */
export type AuthFailure =
  | { readonly _tag: 'MissingCredentials' }
  | { readonly _tag: 'InvalidCredentials'; readonly reason: 'unknown' | 'revoked' | 'expired' }

export const ADMIN_TOKEN_ID = 'admin-token'
const TOKEN = /^lk_([a-z2-7]{16})_([A-Za-z0-9_-]{43})$/
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

// One call, no Hash object: every request's credential is hashed.
const sha256 = (text: string): Buffer => sha256Bytes(text)

const sameHash = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b)

const newKeyId = (): string => Array.from(randomBytes(16), (b) => BASE32[b % 32]).join('')

export type ApiKeyFailure = ApiKeyError | ConcurrencyConflict

/** What a client asks for when it issues a key; the key's id and secret are the engine's. */
export interface KeyRequest {
  readonly name: string
  readonly scope: ApiKeyScope
  readonly expiresAt: string | null
}

export interface CredentialsOptions {
  readonly clock: () => Date
  readonly adminToken: string | null
}

export interface IssuedKey {
  readonly key: ExistingApiKey
  /** The secret token, shown once at issue and never stored. */
  readonly token: string
}

export const createCredentials = ({ clock, adminToken }: CredentialsOptions) => {
  const adminHash = adminToken === null ? null : sha256(adminToken)

  const issue = async (session: Session, request: KeyRequest, meta: CommandMeta): Promise<E.Either<ApiKeyFailure, IssuedKey>> => {
    const keyId = newKeyId()
    const token = `lk_${keyId}_${randomBytes(32).toString('base64url')}`
    const secretHash = sha256(token).toString('hex')
    return pipe(
      await session.handle(ApiKeyAggregate, { type: 'IssueApiKey', keyId, secretHash, ...request }, {}, meta),
      E.map((handled) => ({ key: handled.state as ExistingApiKey, token })),
    )
  }

  const revoke = async (session: Session, keyId: string, meta: CommandMeta): Promise<E.Either<ApiKeyFailure, ExistingApiKey>> =>
    pipe(
      await session.handle(ApiKeyAggregate, { type: 'RevokeApiKey', keyId }, {}, meta),
      E.map((handled) => handled.state as ExistingApiKey),
    )

  const get = async (session: Session, keyId: string): Promise<ExistingApiKey | null> => {
    const { state } = await session.load(ApiKeyAggregate, apiKeyStream(keyId))
    return state.exists ? state : null
  }

  /** Checks a presented token (Bearer, x-api-key, or the Basic password). */
  const authenticate = async (session: Session, presented: string | null): Promise<E.Either<AuthFailure, Principal>> => {
    if (presented === null || presented === '') return E.left({ _tag: 'MissingCredentials' })
    const hash = sha256(presented)
    if (adminHash !== null && sameHash(hash, adminHash)) return E.right({ credentialId: ADMIN_TOKEN_ID, scope: { kind: 'admin' } })
    const match = TOKEN.exec(presented)
    if (match === null) return E.left({ _tag: 'InvalidCredentials', reason: 'unknown' })
    const key = await get(session, match[1]!)
    if (key === null || !sameHash(hash, Buffer.from(key.secretHash, 'hex'))) return E.left({ _tag: 'InvalidCredentials', reason: 'unknown' })
    const problem = credentialProblem(key, clock())
    return problem === null ? E.right({ credentialId: key.keyId, scope: key.scope }) : E.left({ _tag: 'InvalidCredentials', reason: problem })
  }

  /**
   * Basic authentication as `<clientId>:<apiKey>`: the client id is the key's
   * id (or anything, with the admin token), the password the key's token.
   */
  const authenticateBasic = async (session: Session, clientId: string, apiKey: string): Promise<E.Either<AuthFailure, Principal>> => {
    const principal = await authenticate(session, apiKey)
    if (E.isRight(principal) && principal.right.credentialId !== ADMIN_TOKEN_ID && principal.right.credentialId !== clientId) {
      return E.left({ _tag: 'InvalidCredentials', reason: 'unknown' })
    }
    return principal
  }

  return { issue, revoke, get, authenticate, authenticateBasic }
}
export type Credentials = ReturnType<typeof createCredentials>
