// Decides registrations of webhook endpoints, their changes and deletion.
// The secret arrives sealed: sealing needs a key and randomness, which the
// application layer owns.
import * as E from 'fp-ts/Either'
import type { Decider, TimeContext } from '../decider.js'
import type { SealedSecret, WebhookEndpointEvent } from './events.js'
import type { WebhookSettings } from './settings.js'

export type WebhookEndpointCommand =
  | { readonly type: 'RegisterWebhookEndpoint'; readonly endpointId: string; readonly settings: WebhookSettings; readonly secret: SealedSecret }
  | { readonly type: 'ChangeWebhookEndpoint'; readonly endpointId: string; readonly settings: WebhookSettings }
  | { readonly type: 'ChangeWebhookSecret'; readonly endpointId: string; readonly secret: SealedSecret }
  | { readonly type: 'DeleteWebhookEndpoint'; readonly endpointId: string }

export interface ExistingWebhookEndpoint extends WebhookSettings {
  readonly exists: true
  readonly endpointId: string
  readonly secret: SealedSecret
  readonly createdAt: string
  readonly updatedAt: string
  /** Set once deleted; a deleted endpoint stays in its stream for the audit trail but takes no commands. */
  readonly deletedAt: string | null
}
export type WebhookEndpointState = { readonly exists: false } | ExistingWebhookEndpoint

export type WebhookEndpointError =
  | { readonly _tag: 'WebhookEndpointAlreadyExists'; readonly endpointId: string }
  | { readonly _tag: 'WebhookEndpointNotFound'; readonly endpointId: string }

const settingsOf = (s: WebhookSettings): WebhookSettings => ({ url: s.url, events: s.events, description: s.description, enabled: s.enabled })

const sameSettings = (a: WebhookSettings, b: WebhookSettings): boolean => JSON.stringify(settingsOf(a)) === JSON.stringify(settingsOf(b))

export const webhookEndpointDecider: Decider<
  WebhookEndpointCommand,
  WebhookEndpointState,
  WebhookEndpointEvent,
  WebhookEndpointError,
  TimeContext
> = {
  initialState: { exists: false },
  evolve: (state, event) => {
    if (event.type === 'WebhookEndpointRegistered') {
      const { endpointId, secret, at } = event.data
      return { exists: true, endpointId, ...settingsOf(event.data), secret, createdAt: at, updatedAt: at, deletedAt: null }
    }
    if (!state.exists) return state
    switch (event.type) {
      case 'WebhookEndpointChanged':
        return { ...state, ...settingsOf(event.data), updatedAt: event.data.at }
      case 'WebhookSecretChanged':
        return { ...state, secret: event.data.secret, updatedAt: event.data.at }
      case 'WebhookEndpointDeleted':
        return { ...state, enabled: false, updatedAt: event.data.at, deletedAt: event.data.at }
    }
  },
  decide: (command, state, { now }) => {
    const at = now.toISOString()
    const { endpointId } = command
    if (command.type === 'RegisterWebhookEndpoint') {
      if (state.exists) return E.left({ _tag: 'WebhookEndpointAlreadyExists', endpointId })
      return E.right([{ type: 'WebhookEndpointRegistered', data: { endpointId, ...settingsOf(command.settings), secret: command.secret, at } }])
    }
    if (!state.exists || state.deletedAt !== null) return E.left({ _tag: 'WebhookEndpointNotFound', endpointId })
    switch (command.type) {
      case 'ChangeWebhookEndpoint':
        return sameSettings(state, command.settings)
          ? E.right([])
          : E.right([{ type: 'WebhookEndpointChanged', data: { endpointId, ...settingsOf(command.settings), at } }])
      case 'ChangeWebhookSecret':
        return E.right([{ type: 'WebhookSecretChanged', data: { endpointId, secret: command.secret, at } }])
      case 'DeleteWebhookEndpoint':
        return E.right([{ type: 'WebhookEndpointDeleted', data: { endpointId, at } }])
    }
  },
}
