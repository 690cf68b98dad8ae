// The IP lockout of seed 004: after `maxAttempts` invalid attempts from one
// address within `windowSeconds`, the address is refused for `cooldownSeconds`.
// Counting happens in the address's own stream, so two nodes counting the
// same address at once cannot both let an attempt past the limit.
import * as E from 'fp-ts/Either'
import type { Decider, TimeContext } from '../decider.js'
import type { AttemptFailure, LockoutEvent } from './events.js'

export interface LockoutPolicy {
  readonly maxAttempts: number
  readonly windowSeconds: number
  readonly cooldownSeconds: number
}

/** The most attempts a policy may count; the state keeps no more than this many. */
export const MAX_COUNTED_ATTEMPTS = 1000

export interface LockoutState {
  /** Times of the invalid attempts since the last lockout (the latest MAX_COUNTED_ATTEMPTS). */
  readonly attempts: readonly string[]
  readonly lockedUntil: string | null
}

export interface RecordInvalidAttempt {
  readonly type: 'RecordInvalidAttempt'
  readonly address: string
  readonly reason: AttemptFailure
  readonly userIp: string | null
  readonly sourceAddress: string | null
}

export interface LockoutContext extends TimeContext {
  readonly policy: LockoutPolicy
}

export const initialLockoutState: LockoutState = { attempts: [], lockedUntil: null }

/** When the address's lockout ends, or null when it is not locked out at `now`. */
export const lockedUntil = (state: LockoutState, now: Date): Date | null =>
  state.lockedUntil !== null && Date.parse(state.lockedUntil) > now.getTime() ? new Date(state.lockedUntil) : null

export const lockoutDecider: Decider<RecordInvalidAttempt, LockoutState, LockoutEvent, never, LockoutContext> = {
  initialState: initialLockoutState,
  evolve: (state, event) => {
    switch (event.type) {
      case 'InvalidAttemptRecorded':
        return { ...state, attempts: [...state.attempts, event.data.at].slice(-MAX_COUNTED_ATTEMPTS) }
      case 'AddressLockedOut':
        // A lockout settles the attempts that caused it; after it ends, counting starts afresh.
        return { attempts: [], lockedUntil: event.data.until }
    }
  },
  decide: (command, state, { now, policy }) => {
    // A locked-out address is refused before its request is looked at, so nothing it sends counts.
    if (lockedUntil(state, now) !== null) return E.right([])
    const at = now.toISOString()
    const { address, reason, userIp, sourceAddress } = command
    const recorded: LockoutEvent = { type: 'InvalidAttemptRecorded', data: { address, reason, userIp, sourceAddress, at } }
    const windowStart = now.getTime() - policy.windowSeconds * 1000
    const attempts = state.attempts.filter((time) => Date.parse(time) > windowStart).length + 1
    if (attempts < policy.maxAttempts) return E.right([recorded])
    const until = new Date(now.getTime() + policy.cooldownSeconds * 1000).toISOString()
    return E.right([recorded, { type: 'AddressLockedOut', data: { address, attempts, windowSeconds: policy.windowSeconds, until, at } }])
  },
}
