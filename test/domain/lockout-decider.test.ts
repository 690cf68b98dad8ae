import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { fold } from '../../src/domain/decider.js'
import { lockedUntil, lockoutDecider, type LockoutContext, type LockoutEvent, type RecordInvalidAttempt } from '../../src/domain/lockout/index.js'
import { specify } from './given.js'

const given = specify(lockoutDecider)
const T0 = new Date('2026-11-22T10:00:00.000Z')
const seconds = (n: number): Date => new Date(T0.getTime() + n * 1000)
const policy = { maxAttempts: 3, windowSeconds: 60, cooldownSeconds: 300 }
const at = (now: Date): LockoutContext => ({ now, policy })

const address = '203.0.113.7'
const attempt: RecordInvalidAttempt = { type: 'RecordInvalidAttempt', address, reason: 'not_found', userIp: address, sourceAddress: '198.51.100.1' }
const recorded = (now: Date, reason: RecordInvalidAttempt['reason'] = 'not_found'): LockoutEvent => ({
  type: 'InvalidAttemptRecorded',
  data: { address, reason, userIp: address, sourceAddress: '198.51.100.1', at: now.toISOString() },
})
const lockedOut = (now: Date, attempts = 3): LockoutEvent => ({
  type: 'AddressLockedOut',
  data: { address, attempts, windowSeconds: 60, until: new Date(now.getTime() + 300_000).toISOString(), at: now.toISOString() },
})

describe('IP lockout decider (seed 004)', () => {
  it('given no attempts, when an invalid attempt is made, then it is recorded', () => {
    given().when(attempt, at(T0)).then(E.right([recorded(T0)]))
  })
  it('given one attempt fewer than the limit within the window, when another is made, then it is recorded and the address is locked out for the cooling period', () => {
    given(recorded(T0), recorded(seconds(10)))
      .when(attempt, at(seconds(20)))
      .then(E.right([recorded(seconds(20)), lockedOut(seconds(20))]))
  })
  it('given attempts older than the window, when another is made, then they do not count', () => {
    given(recorded(T0), recorded(seconds(10))).when(attempt, at(seconds(61))).then(E.right([recorded(seconds(61))]))
  })
  it('given a locked-out address, when it makes an attempt during the cooling period, then nothing is recorded', () => {
    given(recorded(T0), recorded(T0), recorded(T0), lockedOut(T0)).when(attempt, at(seconds(299))).then(E.right([]))
  })
  it('given a lockout that has ended, when an attempt is made, then counting starts afresh', () => {
    given(recorded(T0), recorded(T0), recorded(T0), lockedOut(T0)).when(attempt, at(seconds(300))).then(E.right([recorded(seconds(300))]))
  })
  it('tells when a lockout ends, and that it has ended once the cooling period is over', () => {
    const state = fold(lockoutDecider.evolve, lockoutDecider.initialState)([recorded(T0), lockedOut(T0)])
    expect(lockedUntil(state, T0)).toEqual(seconds(300))
    expect(lockedUntil(state, seconds(299))).toEqual(seconds(300))
    expect(lockedUntil(state, seconds(300))).toBeNull()
    expect(lockedUntil(lockoutDecider.initialState, T0)).toBeNull()
  })
  it('given a limit of one attempt, when the first invalid attempt is made, then the address is locked out at once', () => {
    given()
      .when(attempt, { now: T0, policy: { ...policy, maxAttempts: 1 } })
      .then(E.right([recorded(T0), lockedOut(T0, 1)]))
  })
})
