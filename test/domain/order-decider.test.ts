import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { emptyUsage, orderDecider, type OrderContext, type OrderEvent } from '../../src/domain/order/index.js'
import { LATER, NOW, seedTerms } from './fixtures.js'
import { specify } from './given.js'

const given = specify(orderDecider)
const KEY = 'II1HP-TX8EQ-R1QXZ-7LYXF-AAAAA' as ActivationKey
const OTHER_KEY = 'AK654321' as ActivationKey
const orderId = 'order-1'

const context = (now: Date, customers: number[] = [1, 2], productTemplates: number[] = [1]): OrderContext => ({
  now,
  existing: { customers: new Set(customers), productTemplates: new Set(productTemplates) },
})

const created: OrderEvent = { type: 'OrderCreated', data: { orderId, activationKey: KEY, terms: seedTerms, at: NOW.toISOString() } }

describe('license order decider', () => {
  describe('CreateOrder', () => {
    it('given no order, when created, then OrderCreated with its key and terms', () => {
      given().when({ type: 'CreateOrder', orderId, activationKey: KEY, terms: seedTerms }, context(NOW)).then(E.right([created]))
    })
    it('given an existing order, when created again, then OrderAlreadyExists', () => {
      given(created)
        .when({ type: 'CreateOrder', orderId, activationKey: KEY, terms: seedTerms }, context(NOW))
        .then(E.left({ _tag: 'OrderAlreadyExists', orderId }))
    })
    it('given an unknown customer, when created, then UnknownCustomer', () => {
      given()
        .when({ type: 'CreateOrder', orderId, activationKey: KEY, terms: seedTerms }, context(NOW, []))
        .then(E.left({ _tag: 'UnknownCustomer', customerId: 1 }))
    })
    it('given an unknown product template, when created, then UnknownProductTemplate', () => {
      given()
        .when({ type: 'CreateOrder', orderId, activationKey: KEY, terms: seedTerms }, context(NOW, [1], []))
        .then(E.left({ _tag: 'UnknownProductTemplate', productTemplateId: 1 }))
    })
  })

  describe('UpdateOrder', () => {
    const changed = { ...seedTerms, customer_id: 2, activations_allowed: 20 }
    it('given an order, when updated with new terms, then OrderUpdated with the whole new terms', () => {
      given(created)
        .when({ type: 'UpdateOrder', orderId, terms: changed }, context(LATER))
        .then(E.right([{ type: 'OrderUpdated', data: { orderId, terms: changed, at: LATER.toISOString() } }]))
    })
    it('given an order, when updated, then its state holds the new terms and the time of the change', () => {
      const state = given(created).when({ type: 'UpdateOrder', orderId, terms: changed }, context(LATER)).state()
      expect(state).toEqual({
        exists: true,
        orderId,
        activationKey: KEY,
        serialNumber: null,
        terms: changed,
        createdAt: NOW.toISOString(),
        updatedAt: LATER.toISOString(),
        usage: emptyUsage,
      })
    })
    it('given an order, when updated with the same terms, then nothing happens', () => {
      given(created).when({ type: 'UpdateOrder', orderId, terms: seedTerms }, context(LATER)).then(E.right([]))
    })
    it('given no order, when updated, then OrderNotFound', () => {
      given().when({ type: 'UpdateOrder', orderId, terms: changed }, context(LATER)).then(E.left({ _tag: 'OrderNotFound', orderId }))
    })
    it('given an order, when moved to an unknown customer, then UnknownCustomer', () => {
      given(created)
        .when({ type: 'UpdateOrder', orderId, terms: { ...seedTerms, customer_id: 9 } }, context(LATER))
        .then(E.left({ _tag: 'UnknownCustomer', customerId: 9 }))
    })
    it('given an order, when given an unknown product template, then UnknownProductTemplate', () => {
      given(created)
        .when({ type: 'UpdateOrder', orderId, terms: { ...seedTerms, product_template_id: 7 } }, context(LATER))
        .then(E.left({ _tag: 'UnknownProductTemplate', productTemplateId: 7 }))
    })
  })

  describe('ChangeActivationKey', () => {
    it('given an order, when its key changes, then ActivationKeyChanged from the old to the new key', () => {
      given(created)
        .when({ type: 'ChangeActivationKey', orderId, activationKey: OTHER_KEY }, context(LATER))
        .then(E.right([{ type: 'ActivationKeyChanged', data: { orderId, from: KEY, to: OTHER_KEY, at: LATER.toISOString() } }]))
    })
    it('given an order, when set to the key it has, then nothing happens', () => {
      given(created).when({ type: 'ChangeActivationKey', orderId, activationKey: KEY }, context(LATER)).then(E.right([]))
    })
    it('given no order, when its key changes, then OrderNotFound', () => {
      given().when({ type: 'ChangeActivationKey', orderId, activationKey: OTHER_KEY }, context(LATER)).then(E.left({ _tag: 'OrderNotFound', orderId }))
    })
  })

  describe('ChangeSerialNumber', () => {
    it('given an order without a serial number, when one is set, then SerialNumberChanged from null', () => {
      given(created)
        .when({ type: 'ChangeSerialNumber', orderId, serialNumber: 'SN123456' }, context(LATER))
        .then(E.right([{ type: 'SerialNumberChanged', data: { orderId, from: null, to: 'SN123456', at: LATER.toISOString() } }]))
    })
    it('given an order with that serial number, when set again, then nothing happens', () => {
      const set: OrderEvent = { type: 'SerialNumberChanged', data: { orderId, from: null, to: 'SN123456', at: NOW.toISOString() } }
      given(created, set).when({ type: 'ChangeSerialNumber', orderId, serialNumber: 'SN123456' }, context(LATER)).then(E.right([]))
    })
    it('given no order, when a serial number is set, then OrderNotFound', () => {
      given().when({ type: 'ChangeSerialNumber', orderId, serialNumber: 'SN1' }, context(LATER)).then(E.left({ _tag: 'OrderNotFound', orderId }))
    })
  })
})
