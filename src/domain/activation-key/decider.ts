// Decides who may hold an activation key. The key's stream is the one place
// where two orders racing for the same key meet, so exactly one wins.
import * as E from 'fp-ts/Either'
import type { Decider, TimeContext } from '../decider.js'
import type { ActivationKeyEvent } from './events.js'
import type { ActivationKey } from './key.js'

export type ActivationKeyCommand =
  | { readonly type: 'ReserveActivationKey'; readonly key: ActivationKey; readonly orderId: string }
  | { readonly type: 'ReleaseActivationKey'; readonly key: ActivationKey; readonly orderId: string }

export interface ActivationKeyState {
  readonly holder: string | null
  readonly reservedAt: string | null
}

export type ActivationKeyError = { readonly _tag: 'ActivationKeyTaken'; readonly key: string }

export interface ActivationKeyContext extends TimeContext {
  /**
   * An order found to hold this key without using it (a crash between the
   * reservation and the order's own event left it behind, or the order moved
   * on without releasing it), established by the caller from that order's
   * stream; null when none was. Named, so a stale finding about an earlier
   * holder cannot free the key from a newer one.
   */
  readonly abandonedBy: string | null
}

export const initialActivationKeyState: ActivationKeyState = { holder: null, reservedAt: null }

export const activationKeyDecider: Decider<
  ActivationKeyCommand,
  ActivationKeyState,
  ActivationKeyEvent,
  ActivationKeyError,
  ActivationKeyContext
> = {
  initialState: initialActivationKeyState,
  evolve: (state, event) => {
    switch (event.type) {
      case 'ActivationKeyReserved':
        return { holder: event.data.orderId, reservedAt: event.data.at }
      case 'ActivationKeyReleased':
        return event.data.orderId === state.holder ? { holder: null, reservedAt: null } : state
    }
  },
  decide: (command, state, context) => {
    const at = context.now.toISOString()
    const { key, orderId } = command
    switch (command.type) {
      case 'ReserveActivationKey': {
        if (state.holder === orderId) return E.right([])
        const reserved: ActivationKeyEvent = { type: 'ActivationKeyReserved', data: { key, orderId, at } }
        if (state.holder === null) return E.right([reserved])
        if (context.abandonedBy === state.holder) {
          return E.right([
            { type: 'ActivationKeyReleased', data: { key, orderId: state.holder, reason: 'abandoned', at } },
            reserved,
          ])
        }
        return E.left({ _tag: 'ActivationKeyTaken', key })
      }
      case 'ReleaseActivationKey':
        return state.holder === orderId
          ? E.right([{ type: 'ActivationKeyReleased', data: { key, orderId, reason: 'changed', at } }])
          : E.right([])
    }
  },
}
