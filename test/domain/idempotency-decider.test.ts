import * as E from 'fp-ts/Either'
import { describe, it } from 'vitest'
import {
  idempotencyDecider,
  type ClaimKey,
  type IdempotencyEvent,
  type IdempotencyKeyTaken,
  type KeyHolder,
  type RecordReply,
  type ReleaseClaim,
} from '../../src/domain/idempotency/index.js'
import { specify } from './given.js'

const given = specify(idempotencyDecider)
const T0 = new Date('2026-11-22T10:00:00.000Z')
const seconds = (n: number): Date => new Date(T0.getTime() + n * 1000)
const at = (now: Date) => ({ now })

const scope = 'scope-hash'
const fingerprint = 'request-hash'
const claim = (id: string, other = fingerprint): ClaimKey => ({ type: 'ClaimKey', scope, fingerprint: other, claim: id, holdMs: 60_000 })
const record: RecordReply = { type: 'RecordReply', scope, fingerprint, status: 201, headers: { Location: '/customers/1' }, body: { id: 1 } }
const release = (id: string): ReleaseClaim => ({ type: 'ReleaseClaim', scope, claim: id })

const claimed = (id: string, when: Date): IdempotencyEvent => ({
  type: 'IdempotencyKeyClaimed',
  data: { scope, fingerprint, claim: id, expiresAt: new Date(when.getTime() + 60_000).toISOString(), at: when.toISOString() },
})
const released = (id: string, when: Date): IdempotencyEvent => ({ type: 'IdempotencyClaimReleased', data: { scope, claim: id, at: when.toISOString() } })
const reply = (when: Date, status = 201) => ({ scope, fingerprint, status, headers: { Location: '/customers/1' }, body: { id: 1 }, at: when.toISOString() })
const replied = (when: Date, status = 201): IdempotencyEvent => ({ type: 'IdempotentReplyRecorded', data: reply(when, status) })
const taken = (by: KeyHolder) => E.left<IdempotencyKeyTaken>({ _tag: 'IdempotencyKeyTaken', by })

describe('Idempotency-Key decider', () => {
  it('given a key never used, when it is claimed, then the claim holds it for its time', () => {
    given().when(claim('c-1'), at(T0)).then(E.right([claimed('c-1', T0)]))
  })
  it('given a live claim, when another request claims the key, then it is taken by that claim', () => {
    given(claimed('c-1', T0))
      .when(claim('c-2'), at(seconds(59)))
      .then(taken({ status: 'claimed', fingerprint, claim: 'c-1', expiresAt: seconds(60).toISOString() }))
  })
  it('given a claim that lapsed without a reply (its holder died), when the key is claimed again, then the new claim holds it', () => {
    given(claimed('c-1', T0)).when(claim('c-2'), at(seconds(60))).then(E.right([claimed('c-2', seconds(60))]))
  })
  it('given a reply, when the key is claimed, then it is taken by the reply, however long ago it was recorded', () => {
    given(claimed('c-1', T0), replied(seconds(1)))
      .when(claim('c-2'), at(seconds(86_400)))
      .then(taken({ status: 'replied', reply: reply(seconds(1)) }))
  })
  it('given a claim, when its holder records the reply, then the reply is kept', () => {
    given(claimed('c-1', T0)).when(record, at(seconds(1))).then(E.right([replied(seconds(1))]))
  })
  it('given a reply, when another is recorded (a holder whose claim lapsed), then the first reply stands', () => {
    given(claimed('c-1', T0), claimed('c-2', seconds(61)), replied(seconds(62))).when(record, at(seconds(70))).then(E.right([]))
  })
  it('given a reply recorded before claims existed, then the key is taken by it', () => {
    given(replied(T0)).when(claim('c-1'), at(seconds(1))).then(taken({ status: 'replied', reply: reply(T0) }))
  })
  it('given a claim, when its holder gives it back, then the key is free again', () => {
    given(claimed('c-1', T0), released('c-1', seconds(1))).when(claim('c-2'), at(seconds(2))).then(E.right([claimed('c-2', seconds(2))]))
    given(claimed('c-1', T0)).when(release('c-1'), at(seconds(1))).then(E.right([released('c-1', seconds(1))]))
  })
  it('given a claim of another request (its own lapsed), when a holder gives back its own, then nothing changes', () => {
    given(claimed('c-1', T0), claimed('c-2', seconds(60))).when(release('c-1'), at(seconds(61))).then(E.right([]))
  })
  it('given a claim by another request with the same key, when claimed with another request, then it is taken, naming that request', () => {
    given(claimed('c-1', T0))
      .when(claim('c-2', 'another-request'), at(seconds(1)))
      .then(taken({ status: 'claimed', fingerprint, claim: 'c-1', expiresAt: seconds(60).toISOString() }))
  })
})
