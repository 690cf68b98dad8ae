import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import {
  leadershipDecider,
  type ClaimLeadership,
  type LeadershipEvent,
  type LeadershipHeld,
  type ReleaseLeadership,
} from '../../src/domain/leadership/index.js'
import { specify } from './given.js'

const given = specify(leadershipDecider)
const T0 = new Date('2026-11-22T10:00:00.000Z')
const seconds = (n: number): Date => new Date(T0.getTime() + n * 1000)
const at = (now: Date) => ({ now })

const role = 'webhooks' as const
const LEASE_MS = 15_000
const claim = (node: string): ClaimLeadership => ({ type: 'ClaimLeadership', role, node, leaseMs: LEASE_MS })
const release = (node: string): ReleaseLeadership => ({ type: 'ReleaseLeadership', role, node })

const lease = (node: string, when: Date) => ({ role, node, expiresAt: new Date(when.getTime() + LEASE_MS).toISOString(), at: when.toISOString() })
const taken = (node: string, when: Date): LeadershipEvent => ({ type: 'LeadershipTaken', data: lease(node, when) })
const renewed = (node: string, when: Date): LeadershipEvent => ({ type: 'LeadershipRenewed', data: lease(node, when) })
const released = (node: string, when: Date): LeadershipEvent => ({ type: 'LeadershipReleased', data: { role, node, at: when.toISOString() } })
const heldBy = (node: string, expiresAt: Date) => E.left<LeadershipHeld>({ _tag: 'LeadershipHeld', by: { node, expiresAt: expiresAt.toISOString() } })

describe('leadership decider', () => {
  it('given a role never led, when a node claims it, then that node takes the lease for its time', () => {
    given().when(claim('a'), at(T0)).then(E.right([taken('a', T0)]))
  })
  it('given a lease, when its holder claims again before it runs out, then the lease is renewed from now', () => {
    given(taken('a', T0)).when(claim('a'), at(seconds(7))).then(E.right([renewed('a', seconds(7))]))
    given(taken('a', T0), renewed('a', seconds(7))).when(claim('a'), at(seconds(14))).then(E.right([renewed('a', seconds(14))]))
  })
  it('given a lease still running, when another node claims it, then it is refused, naming the holder and when the lease runs out', () => {
    given(taken('a', T0)).when(claim('b'), at(seconds(14.999))).then(heldBy('a', seconds(15)))
    given(taken('a', T0), renewed('a', seconds(10))).when(claim('b'), at(seconds(20))).then(heldBy('a', seconds(25)))
  })
  it('given a lease that ran out without a renewal (its holder died), when another node claims it, then that node takes it', () => {
    given(taken('a', T0)).when(claim('b'), at(seconds(15))).then(E.right([taken('b', seconds(15))]))
    given(taken('a', T0), renewed('a', seconds(7))).when(claim('b'), at(seconds(30))).then(E.right([taken('b', seconds(30))]))
  })
  it('given a lease taken over, when the old holder claims it while the new lease runs, then it is refused', () => {
    given(taken('a', T0), taken('b', seconds(16))).when(claim('a'), at(seconds(17))).then(heldBy('b', seconds(31)))
  })
  it('given a lease that ran out while nobody took it, when its holder claims again, then it renews its own lease', () => {
    given(taken('a', T0)).when(claim('a'), at(seconds(60))).then(E.right([renewed('a', seconds(60))]))
  })
  it('given a lease, when its holder releases it, then it is given back and any node may take it at once', () => {
    given(taken('a', T0)).when(release('a'), at(seconds(3))).then(E.right([released('a', seconds(3))]))
    given(taken('a', T0), released('a', seconds(3))).when(claim('b'), at(seconds(4))).then(E.right([taken('b', seconds(4))]))
  })
  it('given a lease held by another node, when a node releases it, then nothing changes', () => {
    given(taken('a', T0)).when(release('b'), at(seconds(3))).then(E.right([]))
    given().when(release('a'), at(T0)).then(E.right([]))
  })
  it('given a release by a node that no longer holds the lease, then the holder keeps it', () => {
    const state = given(taken('a', T0), taken('b', seconds(16)), released('a', seconds(17))).when(claim('b'), at(seconds(18))).state()
    expect(state).toEqual({ held: true, node: 'b', expiresAt: seconds(33).toISOString() })
  })
})
