import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { DEFAULT_PRODUCT_SETTINGS, productDecider, type ProductEvent } from '../../src/domain/product/index.js'
import { LATER, NOW } from './fixtures.js'
import { specify } from './given.js'

const given = specify(productDecider)
const configured: ProductEvent = { type: 'ProductConfigured', data: { productId: 'P1', status: 'test', licenseDataEnabled: true, at: NOW.toISOString() } }

describe('product decider', () => {
  it('given a product nobody configured, then it is active without the license-data option', () => {
    expect(productDecider.initialState).toEqual({ settings: DEFAULT_PRODUCT_SETTINGS, configuredAt: null })
    expect(DEFAULT_PRODUCT_SETTINGS).toEqual({ status: 'active', licenseDataEnabled: false })
  })
  it('given a product nobody configured, when configured, then ProductConfigured', () => {
    given()
      .when({ type: 'ConfigureProduct', productId: 'P1', status: 'test', licenseDataEnabled: true }, { now: NOW })
      .then(E.right([configured]))
  })
  it('given a product nobody configured, when configured with the defaults, then they are recorded as chosen', () => {
    given()
      .when({ type: 'ConfigureProduct', productId: 'P1', status: 'active', licenseDataEnabled: false }, { now: NOW })
      .then(E.right([{ type: 'ProductConfigured', data: { productId: 'P1', status: 'active', licenseDataEnabled: false, at: NOW.toISOString() } }]))
  })
  it('given a configured product, when configured the same way, then nothing happens', () => {
    given(configured).when({ type: 'ConfigureProduct', productId: 'P1', status: 'test', licenseDataEnabled: true }, { now: LATER }).then(E.right([]))
  })
  it('given a product in test, when made active, then ProductConfigured and its state holds the new settings', () => {
    const when = given(configured).when({ type: 'ConfigureProduct', productId: 'P1', status: 'active', licenseDataEnabled: true }, { now: LATER })
    when.then(E.right([{ type: 'ProductConfigured', data: { productId: 'P1', status: 'active', licenseDataEnabled: true, at: LATER.toISOString() } }]))
    expect(when.state()).toEqual({ settings: { status: 'active', licenseDataEnabled: true }, configuredAt: LATER.toISOString() })
  })
})
