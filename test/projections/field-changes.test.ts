// The field-level difference between two states of a license order.
import { describe, expect, it } from 'vitest'
import { fieldChanges } from '../../src/projections/field-changes.js'

const order = {
  orderId: 'o-1',
  activationKey: 'K1',
  serialNumber: null,
  terms: { activations_allowed: 10, Features: [{ name: 'Licstat', count: 15 }], Hostids: [] },
}

describe('field changes', () => {
  it('given the same state before and after, then no change', () => {
    expect(fieldChanges(order, structuredClone(order))).toEqual([])
  })

  it('given changed leaves, then one change per leaf, named by its path', () => {
    const after = { ...order, activationKey: 'K2', terms: { ...order.terms, activations_allowed: 12, Features: [{ name: 'Licstat', count: 20 }] } }
    expect(fieldChanges(order, after)).toEqual([
      { field: 'activationKey', old: 'K1', new: 'K2' },
      { field: 'terms.activations_allowed', old: 10, new: 12 },
      { field: 'terms.Features[0].count', old: 15, new: 20 },
    ])
  })

  it('given an element added to or removed from a list, then the whole element is the change', () => {
    const added = { ...order, terms: { ...order.terms, Hostids: [{ name: 'hostname', min_amount: 1, max_amount: 1 }] } }
    expect(fieldChanges(order, added)).toEqual([{ field: 'terms.Hostids[0]', old: null, new: { name: 'hostname', min_amount: 1, max_amount: 1 } }])
    expect(fieldChanges(added, order)).toEqual([{ field: 'terms.Hostids[0]', old: { name: 'hostname', min_amount: 1, max_amount: 1 }, new: null }])
  })

  it('given a field the record did not have before (a license e-mail), then it is a change from nothing', () => {
    expect(fieldChanges(order, { ...order, email: 'ops@example.com' })).toEqual([{ field: 'email', old: null, new: 'ops@example.com' }])
  })

  it('given a field going from absent to null, then nothing changed', () => {
    expect(fieldChanges({ a: 1 }, { a: 1, b: null })).toEqual([])
  })

  it('given a value changing kind (a null becoming an object), then the whole value is the change', () => {
    expect(fieldChanges({ settings: null }, { settings: { ttl: 60 } })).toEqual([{ field: 'settings', old: null, new: { ttl: 60 } }])
  })
})
