import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { decideAll } from '../../src/domain/decider.js'
import {
  ChangeLicenseData,
  licenseUpdateDecider,
  type LicenseUpdateCommand,
  type LicenseUpdateContext,
  type OrderEvent,
} from '../../src/domain/order/index.js'
import { fieldErrors } from '../../src/domain/validation.js'
import { LATER, NOW, seedTerms } from './fixtures.js'
import { specify } from './given.js'

const given = specify(licenseUpdateDecider)
const orderId = 'order-1'
const KEY = 'AK654321' as ActivationKey
const at = LATER.toISOString()
const userIp = '203.0.113.7'

const created: OrderEvent = { type: 'OrderCreated', data: { orderId, activationKey: KEY, terms: seedTerms, at: NOW.toISOString() } }
const emailSet: OrderEvent = {
  type: 'LicenseEmailChanged',
  data: { orderId, from: null, to: 'old@example.com', userIp, sendNotice: true, test: false, at: NOW.toISOString() },
}

const context = (status: 'test' | 'active' = 'active', licenseDataEnabled = true): LicenseUpdateContext => ({
  now: LATER,
  product: { productId: 'P1', status, licenseDataEnabled },
})

const changeEmail = (email: string, extra: Partial<{ test: boolean; sendNotice: boolean }> = {}): LicenseUpdateCommand => ({
  type: 'ChangeEmail',
  orderId,
  email,
  userIp,
  test: false,
  sendNotice: true,
  ...extra,
})
const changeData = (licenseData: string, test = false): LicenseUpdateCommand => ({ type: 'ChangeLicenseData', orderId, licenseData, userIp, test })

describe('license update decider (seed 004)', () => {
  describe('ChangeEmail', () => {
    it('given a license with an e-mail, when it changes, then LicenseEmailChanged from the old to the new address', () => {
      given(created, emailSet)
        .when(changeEmail('new@example.com'), context())
        .then(E.right([{ type: 'LicenseEmailChanged', data: { orderId, from: 'old@example.com', to: 'new@example.com', userIp, sendNotice: true, test: false, at } }]))
    })
    it('given a license without an e-mail, when one is set, then LicenseEmailChanged from null', () => {
      given(created)
        .when(changeEmail('new@example.com', { sendNotice: false }), context())
        .then(E.right([{ type: 'LicenseEmailChanged', data: { orderId, from: null, to: 'new@example.com', userIp, sendNotice: false, test: false, at } }]))
    })
    it('given a license, when set to the e-mail it has, then nothing happens', () => {
      given(created, emailSet).when(changeEmail('old@example.com'), context()).then(E.right([]))
    })
    it('given no license, when its e-mail changes, then OrderNotFound', () => {
      given().when(changeEmail('new@example.com'), context()).then(E.left({ _tag: 'OrderNotFound', orderId }))
    })
    it('given a product in production, when a test event changes an e-mail, then TestEventOnActiveProduct', () => {
      given(created, emailSet)
        .when(changeEmail('new@example.com', { test: true }), context('active'))
        .then(E.left({ _tag: 'TestEventOnActiveProduct', productId: 'P1' }))
    })
    it('given a product in test, when a test event changes an e-mail, then the change is recorded as a test', () => {
      given(created, emailSet)
        .when(changeEmail('new@example.com', { test: true }), context('test'))
        .then(E.right([{ type: 'LicenseEmailChanged', data: { orderId, from: 'old@example.com', to: 'new@example.com', userIp, sendNotice: true, test: true, at } }]))
    })
    it('given a license, when its e-mail changes, then its state holds the new e-mail and the time of the change', () => {
      const state = given(created, emailSet).when(changeEmail('new@example.com'), context()).state()
      expect(state).toMatchObject({ exists: true, email: 'new@example.com', updatedAt: at })
    })
  })

  describe('ChangeLicenseData', () => {
    it('given a product with the license-data option, when data changes, then LicenseDataChanged', () => {
      given(created)
        .when(changeData('seats=5'), context())
        .then(E.right([{ type: 'LicenseDataChanged', data: { orderId, from: null, to: 'seats=5', userIp, test: false, at } }]))
    })
    it('given a product without the license-data option, when data changes, then LicenseDataNotEnabled', () => {
      given(created).when(changeData('seats=5'), context('active', false)).then(E.left({ _tag: 'LicenseDataNotEnabled', productId: 'P1' }))
    })
    it('given a product without the option in production, when a test event changes data, then LicenseDataNotEnabled (the option is checked first)', () => {
      given(created).when(changeData('seats=5', true), context('active', false)).then(E.left({ _tag: 'LicenseDataNotEnabled', productId: 'P1' }))
    })
    it('given data that is already set, when set again, then nothing happens', () => {
      const set: OrderEvent = { type: 'LicenseDataChanged', data: { orderId, from: null, to: 'seats=5', userIp, test: false, at: NOW.toISOString() } }
      given(created, set).when(changeData('seats=5'), context()).then(E.right([]))
    })
    it('given data that is set, when cleared with an empty string, then LicenseDataChanged to ""', () => {
      const set: OrderEvent = { type: 'LicenseDataChanged', data: { orderId, from: null, to: 'seats=5', userIp, test: false, at: NOW.toISOString() } }
      given(created, set)
        .when(changeData(''), context())
        .then(E.right([{ type: 'LicenseDataChanged', data: { orderId, from: 'seats=5', to: '', userIp, test: false, at } }]))
    })
    it('accepts 200 characters of data and refuses 201, counting characters rather than UTF-16 units', () => {
      expect(E.isRight(ChangeLicenseData.decode({ type: 'ChangeLicenseData', orderId, licenseData: '€'.repeat(200), userIp, test: false }))).toBe(true)
      expect(E.isRight(ChangeLicenseData.decode({ type: 'ChangeLicenseData', orderId, licenseData: '😀'.repeat(200), userIp, test: false }))).toBe(true)
      const tooLong = ChangeLicenseData.decode({ type: 'ChangeLicenseData', orderId, licenseData: 'x'.repeat(201), userIp, test: false })
      expect(E.isLeft(tooLong) && fieldErrors(tooLong.left)).toEqual([{ field: 'licenseData', message: 'must have at most 200 characters' }])
    })
  })

  describe('both in one request', () => {
    const both = decideAll(licenseUpdateDecider)
    it('given a license, when e-mail and data change together, then both events, to be appended as one', () => {
      const state = [created, emailSet].reduce(licenseUpdateDecider.evolve, licenseUpdateDecider.initialState)
      expect(both([changeData('seats=5'), changeEmail('new@example.com')], state, context())).toEqual(
        E.right([
          { type: 'LicenseDataChanged', data: { orderId, from: null, to: 'seats=5', userIp, test: false, at } },
          { type: 'LicenseEmailChanged', data: { orderId, from: 'old@example.com', to: 'new@example.com', userIp, sendNotice: true, test: false, at } },
        ]),
      )
    })
    it('given a product without the license-data option, when e-mail and data change together, then nothing changes', () => {
      const state = [created, emailSet].reduce(licenseUpdateDecider.evolve, licenseUpdateDecider.initialState)
      expect(both([changeData('seats=5'), changeEmail('new@example.com')], state, context('active', false))).toEqual(
        E.left({ _tag: 'LicenseDataNotEnabled', productId: 'P1' }),
      )
    })
  })
})
