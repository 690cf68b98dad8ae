// Seed 003's rules on the order's stream, as sentences: machines activated
// with their details, updates of those details, and meter attributes whose
// uses never go below zero nor above what the license allows.
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import {
  noActivationDetails,
  usageDecider,
  type ActivationChanges,
  type ActivationDetails,
  type ExistingOrder,
  type OrderEvent,
  type OrderTerms,
  type UsageCommand,
  type UsageContext,
} from '../../src/domain/order/index.js'
import { NOW, seedTerms } from './fixtures.js'
import { specify } from './given.js'

const given = specify(usageDecider)
const orderId = 'order-1'
const KEY = 'II1HP-TX8EQ-R1QXZ-7LYXF' as ActivationKey
const FINGERPRINT = 'f'.repeat(64)

const iso = (seconds: number): string => new Date(NOW.getTime() + seconds * 1000).toISOString()
const ctx = (seconds: number, newId = 'act-new'): UsageContext => ({ now: new Date(NOW.getTime() + seconds * 1000), newId })

const created = (change: Partial<OrderTerms> = {}): OrderEvent => ({
  type: 'OrderCreated',
  data: { orderId, activationKey: KEY, terms: { ...seedTerms, ...change }, at: NOW.toISOString() },
})
const defined = (attributes: { name: string; allowedUses: number }[], seconds = 0): OrderEvent => ({
  type: 'MeterAttributesDefined',
  data: { orderId, attributes, at: iso(seconds) },
})
const machine = (n: number) => ({ clientId: 'product-1', machineId: n === 1 ? FINGERPRINT : `${'m'.repeat(63)}${n}` })
const activated = (n: number, details: ActivationDetails = noActivationDetails, seconds = 0): OrderEvent => ({
  type: 'MachineActivated',
  data: { orderId, activationId: `act-${n}`, ...machine(n), clientName: 'build-01', clientAddr: null, details, at: iso(seconds) },
})
const updatedTo = (n: number, details: ActivationDetails, seconds: number): OrderEvent => ({
  type: 'ActivationUpdated',
  data: { orderId, activationId: `act-${n}`, ...machine(n), details, at: iso(seconds) },
})
const update = (n: number, changes: ActivationChanges): UsageCommand => ({ type: 'UpdateActivation', orderId, activationId: `act-${n}`, changes })
const activate = (n: number, changes: ActivationChanges): UsageCommand => ({
  type: 'ActivateMachineWithDetails',
  orderId,
  ...machine(n),
  clientName: 'build-01',
  clientAddr: null,
  changes,
})
const uses = (name: string, n: number) => ({ name, uses: n })
const inc = (name: string, usesIncrement: number) => ({ name, usesIncrement })
const linux = { os: 'linux', hostname: 'build-01', fingerprint: FINGERPRINT, userHash: 'u1', productId: 'product-1', accountId: '' } as const
const metersOf = (state: unknown) => (state as ExistingOrder).usage.meters

describe('meter attribute definitions', () => {
  it('given an order, when meter attributes are defined, then MeterAttributesDefined; the counters start at zero', () => {
    const when = given(created()).when({ type: 'DefineMeterAttributes', orderId, attributes: [{ name: 'exports', allowedUses: 10 }] }, ctx(0))
    when.then(E.right([defined([{ name: 'exports', allowedUses: 10 }])]))
    expect(metersOf(when.state())).toEqual({ exports: { allowedUses: 10, uses: 0 } })
  })
  it('given those definitions, when defined again in another order, then nothing is written', () => {
    given(created(), defined([{ name: 'a', allowedUses: 1 }, { name: 'b', allowedUses: 2 }]))
      .when({ type: 'DefineMeterAttributes', orderId, attributes: [{ name: 'b', allowedUses: 2 }, { name: 'a', allowedUses: 1 }] }, ctx(1))
      .then(E.right([]))
  })
  it('given a used meter, when it is no longer defined, then its uses are kept without an allowance and increments are refused', () => {
    const state = given(created(), defined([{ name: 'exports', allowedUses: 10 }]), activated(1, { ...noActivationDetails, meterAttributes: [uses('exports', 4)] }))
      .when({ type: 'DefineMeterAttributes', orderId, attributes: [] }, ctx(1))
      .state()
    expect(metersOf(state)).toEqual({ exports: { allowedUses: null, uses: 4 } })
    given(created(), defined([{ name: 'exports', allowedUses: 10 }]), activated(1), defined([], 1))
      .when(update(1, { meterIncrements: [inc('exports', 1)] }), ctx(2))
      .then(E.left({ _tag: 'MeterAttributeNotDefined', orderId, name: 'exports' }))
  })
  it('given an order, when a meter named __proto__ is defined and used, then it is counted like any other name', () => {
    const proto = defined([{ name: '__proto__', allowedUses: 5 }])
    const state = given(created(), proto, activated(1))
      .when(update(1, { meterIncrements: [inc('__proto__', 2)] }), ctx(1))
      .state()
    expect(Object.entries(metersOf(state) ?? {})).toEqual([['__proto__', { allowedUses: 5, uses: 2 }]])
    expect(Object.getPrototypeOf(metersOf(state))).toBe(Object.prototype)
  })
})

describe('meter uses', () => {
  const exports10 = defined([{ name: 'exports', allowedUses: 10 }, { name: 'runs', allowedUses: 100 }])

  it('given an activation, when fields change and meters move, then ActivationUpdated with the whole new details; the license counts the uses', () => {
    const when = given(created(), exports10, activated(1)).when(update(1, { hostname: 'build-02', os: 'linux', meterIncrements: [inc('exports', 3), inc('runs', 1)] }), ctx(2))
    when.then(E.right([updatedTo(1, { ...noActivationDetails, hostname: 'build-02', os: 'linux', meterAttributes: [uses('exports', 3), uses('runs', 1)] }, 2)]))
    expect(metersOf(when.state())).toEqual({ exports: { allowedUses: 10, uses: 3 }, runs: { allowedUses: 100, uses: 1 } })
  })
  it('given 8 of 10 uses, when an increment would pass 10, then MeterUsesAboveAllowed; reaching exactly 10 is allowed', () => {
    const used8 = updatedTo(1, { ...noActivationDetails, meterAttributes: [uses('exports', 8)] }, 1)
    given(created(), exports10, activated(1), used8)
      .when(update(1, { meterIncrements: [inc('exports', 3)] }), ctx(2))
      .then(E.left({ _tag: 'MeterUsesAboveAllowed', orderId, name: 'exports', allowedUses: 10 }))
    given(created(), exports10, activated(1), used8)
      .when(update(1, { meterIncrements: [inc('exports', 2)] }), ctx(2))
      .then(E.right([updatedTo(1, { ...noActivationDetails, meterAttributes: [uses('exports', 10)] }, 2)]))
  })
  it('given uses on two machines, when one passes the license allowance, then MeterUsesAboveAllowed (the counter is the license\'s)', () => {
    given(created(), exports10, activated(1, { ...noActivationDetails, meterAttributes: [uses('exports', 6)] }), activated(2))
      .when(update(2, { meterIncrements: [inc('exports', 5)] }), ctx(2))
      .then(E.left({ _tag: 'MeterUsesAboveAllowed', orderId, name: 'exports', allowedUses: 10 }))
  })
  it('given one refused increment among several, when the request is decided, then nothing of it applies', () => {
    given(created(), exports10, activated(1))
      .when(update(1, { hostname: 'other', meterIncrements: [inc('runs', 1), inc('exports', 11)] }), ctx(2))
      .then(E.left({ _tag: 'MeterUsesAboveAllowed', orderId, name: 'exports', allowedUses: 10 }))
  })
  it('given increments of one name twice in a request, when their sum passes the allowance, then MeterUsesAboveAllowed', () => {
    given(created(), exports10, activated(1))
      .when(update(1, { meterIncrements: [inc('exports', 6), inc('exports', 5)] }), ctx(2))
      .then(E.left({ _tag: 'MeterUsesAboveAllowed', orderId, name: 'exports', allowedUses: 10 }))
  })
  it("given uses on another machine, when this one's own uses would go below zero, then MeterUsesBelowZero", () => {
    given(created(), exports10, activated(1, { ...noActivationDetails, meterAttributes: [uses('exports', 6)] }), activated(2))
      .when(update(2, { meterIncrements: [inc('exports', -1)] }), ctx(2))
      .then(E.left({ _tag: 'MeterUsesBelowZero', orderId, name: 'exports' }))
  })
  it('given an undefined meter, when it is incremented, then MeterAttributeNotDefined (also for names Object has)', () => {
    for (const name of ['unknown', 'constructor', '__proto__']) {
      given(created(), exports10, activated(1))
        .when(update(1, { meterIncrements: [inc(name, 1)] }), ctx(2))
        .then(E.left({ _tag: 'MeterAttributeNotDefined', orderId, name }))
    }
  })
  it('given an allowance lowered below the uses, when uses go down, then allowed; when they go up, then refused', () => {
    const past = [created(), exports10, activated(1, { ...noActivationDetails, meterAttributes: [uses('exports', 8)] }), defined([{ name: 'exports', allowedUses: 5 }], 1)]
    given(...past)
      .when(update(1, { meterIncrements: [inc('exports', -1)] }), ctx(2))
      .then(E.right([updatedTo(1, { ...noActivationDetails, meterAttributes: [uses('exports', 7)] }, 2)]))
    given(...past).when(update(1, { meterIncrements: [inc('exports', 1)] }), ctx(2)).then(E.left({ _tag: 'MeterUsesAboveAllowed', orderId, name: 'exports', allowedUses: 5 }))
  })
  it('given uses, when the machine is deactivated, then the license keeps them', () => {
    const state = given(created(), exports10, activated(1, { ...noActivationDetails, meterAttributes: [uses('exports', 4)] }))
      .when({ type: 'DeactivateMachine', orderId, activation: { activationId: 'act-1' } }, ctx(2))
      .state()
    expect(metersOf(state)).toEqual({ exports: { allowedUses: 10, uses: 4 }, runs: { allowedUses: 100, uses: 0 } })
  })
})

describe('activation updates', () => {
  it('given an activation, when nothing changes, then nothing is written', () => {
    given(created(), activated(1, { ...noActivationDetails, ...linux })).when(update(1, linux), ctx(2)).then(E.right([]))
  })
  it('given an activation, when another fingerprint is sent, then FingerprintMismatch', () => {
    given(created(), activated(1))
      .when(update(1, { ...linux, fingerprint: 'x'.repeat(64) }), ctx(2))
      .then(E.left({ _tag: 'FingerprintMismatch', orderId, activationId: 'act-1' }))
  })
  it('given a disabled order, when an activation syncs, then OrderDisabled', () => {
    given(created({ enabled: false }), activated(1)).when(update(1, linux), ctx(2)).then(E.left({ _tag: 'OrderDisabled', orderId }))
  })
  it('given no such activation (even one named like an Object member), when it is updated, then ActivationNotFound', () => {
    for (const id of ['act-9', 'constructor']) {
      given(created(), activated(1))
        .when({ type: 'UpdateActivation', orderId, activationId: id, changes: linux }, ctx(2))
        .then(E.left({ _tag: 'ActivationNotFound', orderId }))
    }
  })
})

describe('activation with details (seed 003 POST)', () => {
  const meters = defined([{ name: 'exports', allowedUses: 10 }])

  it('given an order, when a described machine activates, then MachineActivated with its details and its first uses', () => {
    given(created(), meters)
      .when(activate(1, { ...linux, metadata: [{ key: 'k', value: 'v' }], meterIncrements: [inc('exports', 2)] }), ctx(5))
      .then(
        E.right([
          {
            type: 'MachineActivated',
            data: {
              orderId,
              activationId: 'act-new',
              ...machine(1),
              clientName: 'build-01',
              clientAddr: null,
              details: { ...noActivationDetails, ...linux, metadata: [{ key: 'k', value: 'v' }], meterAttributes: [uses('exports', 2)] },
              at: iso(5),
            },
          },
        ]),
      )
  })
  it('given the machine activated, when it activates again with the same details, then nothing is written', () => {
    given(created(), activated(1, { ...noActivationDetails, ...linux })).when(activate(1, linux), ctx(5)).then(E.right([]))
  })
  it('given the machine activated, when it activates again with other details, then the same activation is updated', () => {
    given(created(), activated(1, { ...noActivationDetails, ...linux }))
      .when(activate(1, { ...linux, osVersion: '6.1' }), ctx(5))
      .then(E.right([updatedTo(1, { ...noActivationDetails, ...linux, osVersion: '6.1' }, 5)]))
  })
  it('given every activation taken, when another machine activates, then ActivationDenied by activations_allowed; the same machine again is still answered', () => {
    const full = [created({ activations_allowed: 1 }), activated(1, { ...noActivationDetails, ...linux })]
    given(...full)
      .when(activate(2, linux), { ...ctx(5, 'denial-1'), revision: 1 })
      .then(
        E.right([
          {
            type: 'ActivationDenied',
            data: { orderId, denialId: 'denial-1', ...machine(2), clientName: 'build-01', rule: 'activations_allowed', active: 1, limit: 1, decidedOnRevision: 1, at: iso(5) },
          },
        ]),
      )
    given(...full).when(activate(1, linux), ctx(5)).then(E.right([]))
  })
  it('given a new machine, when its first increment is refused, then it is not activated either', () => {
    given(created(), meters).when(activate(1, { ...linux, meterIncrements: [inc('exports', 11)] }), ctx(5)).then(E.left({ _tag: 'MeterUsesAboveAllowed', orderId, name: 'exports', allowedUses: 10 }))
  })
  it('given an expired license, when a machine activates, then LicenseExpired', () => {
    const fixed = { ...seedTerms.Features[0]!, expiration_type: 'fixed' as const, expiration_date: '2026-01-01', days_from_activation: null }
    given(created({ Features: [fixed] }))
      .when(activate(1, linux), ctx(0))
      .then(E.left({ _tag: 'LicenseExpired', orderId, expiredAt: '2026-01-02T00:00:00.000Z' }))
  })
})
