// An Idempotency-Key is claimed before the work it guards, in its own stream,
// so of several requests racing on one key (on one node or several) one does
// the work; the others find it taken, by a live claim or by the first reply.
// A claim lapses at its expiry, so a holder that died before recording a
// reply does not block the key for ever.
import * as E from 'fp-ts/Either'
import type { Decider, TimeContext } from '../decider.js'
import type { IdempotencyEvent, IdempotentReply } from './events.js'

export interface Claim {
  readonly fingerprint: string
  readonly claim: string
  readonly expiresAt: string
}

export type IdempotencyState =
  | { readonly status: 'free' }
  | ({ readonly status: 'claimed' } & Claim)
  | { readonly status: 'replied'; readonly reply: IdempotentReply }

/** What holds a key that is not free: a claim or the first reply. */
export type KeyHolder = Exclude<IdempotencyState, { readonly status: 'free' }>

export interface ClaimKey {
  readonly type: 'ClaimKey'
  readonly scope: string
  readonly fingerprint: string
  /** The new claim's id. */
  readonly claim: string
  /** How long the claim holds without a reply. */
  readonly holdMs: number
}

export type RecordReply = { readonly type: 'RecordReply' } & Omit<IdempotentReply, 'at'>

export interface ReleaseClaim {
  readonly type: 'ReleaseClaim'
  readonly scope: string
  readonly claim: string
}

export type IdempotencyCommand = ClaimKey | RecordReply | ReleaseClaim

export interface IdempotencyKeyTaken {
  readonly _tag: 'IdempotencyKeyTaken'
  readonly by: KeyHolder
}

/** What holds the key at `now`, or null when it may be claimed (never claimed, given back, or its claim lapsed). */
export const holderOf = (state: IdempotencyState, now: Date): KeyHolder | null =>
  state.status === 'free' || (state.status === 'claimed' && Date.parse(state.expiresAt) <= now.getTime()) ? null : state

export const idempotencyDecider: Decider<IdempotencyCommand, IdempotencyState, IdempotencyEvent, IdempotencyKeyTaken, TimeContext> = {
  initialState: { status: 'free' },
  evolve: (state, event) => {
    // The first reply stands; a later one (from a holder whose claim lapsed) changes nothing.
    if (state.status === 'replied') return state
    switch (event.type) {
      case 'IdempotencyKeyClaimed':
        return { status: 'claimed', fingerprint: event.data.fingerprint, claim: event.data.claim, expiresAt: event.data.expiresAt }
      case 'IdempotencyClaimReleased':
        return state.status === 'claimed' && state.claim === event.data.claim ? { status: 'free' } : state
      case 'IdempotentReplyRecorded':
        return { status: 'replied', reply: event.data }
    }
  },
  decide: (command, state, { now }) => {
    const at = now.toISOString()
    switch (command.type) {
      case 'ClaimKey': {
        const holder = holderOf(state, now)
        if (holder !== null) return E.left({ _tag: 'IdempotencyKeyTaken', by: holder })
        const { scope, fingerprint, claim, holdMs } = command
        return E.right([{ type: 'IdempotencyKeyClaimed', data: { scope, fingerprint, claim, expiresAt: new Date(now.getTime() + holdMs).toISOString(), at } }])
      }
      case 'RecordReply': {
        if (state.status === 'replied') return E.right([])
        const { type: _type, ...reply } = command
        return E.right([{ type: 'IdempotentReplyRecorded', data: { ...reply, at } }])
      }
      case 'ReleaseClaim':
        return state.status === 'claimed' && state.claim === command.claim
          ? E.right([{ type: 'IdempotencyClaimReleased', data: { scope: command.scope, claim: command.claim, at } }])
          : E.right([])
    }
  },
}
