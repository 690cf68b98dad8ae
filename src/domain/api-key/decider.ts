import * as E from 'fp-ts/Either'
import type { Decider, TimeContext } from '../decider.js'
import type { ApiKeyEvent, ApiKeyScope } from './events.js'

export type ApiKeyCommand =
  | {
      readonly type: 'IssueApiKey'
      readonly keyId: string
      readonly name: string
      readonly secretHash: string
      readonly scope: ApiKeyScope
      readonly expiresAt: string | null
    }
  | { readonly type: 'RevokeApiKey'; readonly keyId: string }

export interface ExistingApiKey {
  readonly exists: true
  readonly keyId: string
  readonly name: string
  readonly secretHash: string
  readonly scope: ApiKeyScope
  readonly expiresAt: string | null
  readonly createdAt: string
  readonly revokedAt: string | null
}
export type ApiKeyState = { readonly exists: false } | ExistingApiKey

export type ApiKeyError =
  | { readonly _tag: 'ApiKeyAlreadyExists'; readonly keyId: string }
  | { readonly _tag: 'ApiKeyNotFound'; readonly keyId: string }
  | { readonly _tag: 'ApiKeyExpiryInPast'; readonly expiresAt: string }

export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyState, ApiKeyEvent, ApiKeyError, TimeContext> = {
  initialState: { exists: false },
  evolve: (state, event) => {
    switch (event.type) {
      case 'ApiKeyIssued': {
        const { keyId, name, secretHash, scope, expiresAt, at } = event.data
        return { exists: true, keyId, name, secretHash, scope, expiresAt, createdAt: at, revokedAt: null }
      }
      case 'ApiKeyRevoked':
        return state.exists ? { ...state, revokedAt: event.data.at } : state
    }
  },
  decide: (command, state, { now }) => {
    const at = now.toISOString()
    switch (command.type) {
      case 'IssueApiKey': {
        if (state.exists) return E.left({ _tag: 'ApiKeyAlreadyExists', keyId: command.keyId })
        if (command.expiresAt !== null && Date.parse(command.expiresAt) <= now.getTime()) {
          return E.left({ _tag: 'ApiKeyExpiryInPast', expiresAt: command.expiresAt })
        }
        const { keyId, name, secretHash, scope, expiresAt } = command
        return E.right([{ type: 'ApiKeyIssued', data: { keyId, name, secretHash, scope, expiresAt, at } }])
      }
      case 'RevokeApiKey':
        if (!state.exists) return E.left({ _tag: 'ApiKeyNotFound', keyId: command.keyId })
        return state.revokedAt !== null ? E.right([]) : E.right([{ type: 'ApiKeyRevoked', data: { keyId: command.keyId, at } }])
    }
  },
}

export type CredentialProblem = 'revoked' | 'expired' | null

/** Why a key may not be used at `now`, or null when it may. */
export const credentialProblem = (key: ExistingApiKey, now: Date): CredentialProblem => {
  if (key.revokedAt !== null) return 'revoked'
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now.getTime()) return 'expired'
  return null
}
