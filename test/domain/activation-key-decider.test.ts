import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import {
  activationKeyDecider,
  activationKeyFrom,
  ActivationKeyInput,
  GENERATED_KEY,
  KEY_ALPHABET,
  type ActivationKey,
  type ActivationKeyEvent,
} from '../../src/domain/activation-key/index.js'
import { LATER, NOW } from './fixtures.js'
import { specify } from './given.js'

const given = specify(activationKeyDecider)
const key = 'AK654321' as ActivationKey
const at = NOW.toISOString()
const reservedBy = (orderId: string): ActivationKeyEvent => ({ type: 'ActivationKeyReserved', data: { key, orderId, at } })

describe('activation key decider: one holder per key', () => {
  it('given a free key, when an order reserves it, then ActivationKeyReserved', () => {
    given().when({ type: 'ReserveActivationKey', key, orderId: 'a' }, { now: NOW, abandonedBy: null }).then(E.right([reservedBy('a')]))
  })
  it('given a key held by an order, when the same order reserves it again, then nothing happens', () => {
    given(reservedBy('a')).when({ type: 'ReserveActivationKey', key, orderId: 'a' }, { now: LATER, abandonedBy: null }).then(E.right([]))
  })
  it('given a key held by another order, when reserved, then ActivationKeyTaken', () => {
    given(reservedBy('a'))
      .when({ type: 'ReserveActivationKey', key, orderId: 'b' }, { now: LATER, abandonedBy: null })
      .then(E.left({ _tag: 'ActivationKeyTaken', key }))
  })
  it('given a key held by an order that abandoned it, when reserved, then the old reservation is released and the new one made', () => {
    given(reservedBy('a'))
      .when({ type: 'ReserveActivationKey', key, orderId: 'b' }, { now: LATER, abandonedBy: 'a' })
      .then(
        E.right([
          { type: 'ActivationKeyReleased', data: { key, orderId: 'a', reason: 'abandoned', at: LATER.toISOString() } },
          { type: 'ActivationKeyReserved', data: { key, orderId: 'b', at: LATER.toISOString() } },
        ]),
      )
  })
  it('given a key held by an order other than the one found abandoned, when reserved, then ActivationKeyTaken', () => {
    given(reservedBy('a'), { type: 'ActivationKeyReleased', data: { key, orderId: 'a', reason: 'changed', at } }, reservedBy('c'))
      .when({ type: 'ReserveActivationKey', key, orderId: 'b' }, { now: LATER, abandonedBy: 'a' })
      .then(E.left({ _tag: 'ActivationKeyTaken', key }))
  })
  it('given a key released by its holder, when another order reserves it, then it gets it', () => {
    const released: ActivationKeyEvent = { type: 'ActivationKeyReleased', data: { key, orderId: 'a', reason: 'changed', at } }
    given(reservedBy('a'), released)
      .when({ type: 'ReserveActivationKey', key, orderId: 'b' }, { now: LATER, abandonedBy: null })
      .then(E.right([{ type: 'ActivationKeyReserved', data: { key, orderId: 'b', at: LATER.toISOString() } }]))
  })
  it('given a key held by an order, when that order releases it, then ActivationKeyReleased', () => {
    given(reservedBy('a'))
      .when({ type: 'ReleaseActivationKey', key, orderId: 'a' }, { now: LATER, abandonedBy: null })
      .then(E.right([{ type: 'ActivationKeyReleased', data: { key, orderId: 'a', reason: 'changed', at: LATER.toISOString() } }]))
  })
  it('given a key held by another order, when an order releases it, then nothing happens', () => {
    given(reservedBy('a')).when({ type: 'ReleaseActivationKey', key, orderId: 'b' }, { now: LATER, abandonedBy: null }).then(E.right([]))
  })
})

describe('activation key format', () => {
  it('generates five groups of five upper-case letters and digits', () => {
    const indexes = Array.from({ length: 25 }, (_, i) => (i * 7) % KEY_ALPHABET.length)
    const generated = activationKeyFrom(indexes)
    expect(generated).toBe('AHOV2-9GNU1-8FMT0-7ELSZ-6DKRY')
    expect(GENERATED_KEY.test(generated)).toBe(true)
  })
  it.each(['II1HP-TX8EQ-R1QXZ-7LYXF', 'AK654321', 'a_b-c'])('accepts the vendor key %s', (k) => {
    expect(E.isRight(ActivationKeyInput.decode(k))).toBe(true)
  })
  it.each(['', '-AB', 'AB-', 'has space', 'x'.repeat(65), 42])('refuses %j', (k) => {
    expect(E.isLeft(ActivationKeyInput.decode(k))).toBe(true)
  })
})
