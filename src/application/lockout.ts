// The IP lockout of seed 004 over the lockout streams: is an address locked
// out, and counting an invalid attempt against the end user's address
// (UserIp) and the address the request came from.
import * as E from 'fp-ts/Either'
import { lockedUntil, lockoutStream, type AttemptFailure, type LockoutPolicy } from '../domain/lockout/index.js'
import { lockoutKeyOf } from '../domain/ip-address.js'
import { LockoutAggregate } from './aggregates.js'
import type { CommandMeta } from './metadata.js'
import type { Session } from './session.js'

export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = { maxAttempts: 10, windowSeconds: 600, cooldownSeconds: 900 }

export interface Attempt {
  /** Canonical addresses (see ip-address.ts); null when unknown or not an address. */
  readonly userIp: string | null
  readonly sourceAddress: string | null
}

export interface LockoutOptions {
  readonly clock: () => Date
  readonly policy: LockoutPolicy
}

/** The distinct lockout keys of an attempt: the end user's and the source's may be one and the same. */
const keysOf = ({ userIp, sourceAddress }: Attempt): readonly string[] => [
  ...new Set([userIp, sourceAddress].filter((a): a is string => a !== null).map(lockoutKeyOf)),
]

export const createLockout = ({ clock, policy }: LockoutOptions) => ({
  policy,
  /** When the last lockout among the attempt's addresses ends; null when none is locked out. */
  lockedUntil: async (session: Session, attempt: Attempt): Promise<Date | null> => {
    const now = clock()
    let until: Date | null = null
    for (const key of keysOf(attempt)) {
      const { state } = await session.load(LockoutAggregate, lockoutStream(key))
      const ends = lockedUntil(state, now)
      if (ends !== null && (until === null || ends > until)) until = ends
    }
    return until
  },
  /** Counts an invalid attempt against each of its addresses; returns the addresses it locked out. */
  recordFailure: async (session: Session, attempt: Attempt, reason: AttemptFailure, meta: CommandMeta): Promise<readonly string[]> => {
    const locked: string[] = []
    for (const address of keysOf(attempt)) {
      const handled = await session.handle(LockoutAggregate, { type: 'RecordInvalidAttempt', address, reason, ...attempt }, { policy }, meta)
      if (E.isLeft(handled)) throw new Error(`could not count an invalid attempt against ${address}: ${handled.left._tag}`)
      if (handled.right.events.some((event) => event.type === 'AddressLockedOut')) locked.push(address)
    }
    return locked
  },
})
export type Lockout = ReturnType<typeof createLockout>
