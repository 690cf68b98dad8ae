// The one access rule, as sentences: given a credential's scope, when it asks
// for a target, then the target or Forbidden; and a license's product is the
// product its template names.
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { ADMIN_ONLY, authorize, licenseOf } from '../../src/application/access.js'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import type { ApiKeyScope } from '../../src/domain/api-key/index.js'
import type { ExistingOrder } from '../../src/domain/order/index.js'
import { emptyUsage } from '../../src/domain/order/index.js'
import { NOW, seedTerms } from '../domain/fixtures.js'

const order: ExistingOrder = {
  exists: true,
  orderId: 'order-1',
  activationKey: 'ACCESS-KEY' as ActivationKey,
  serialNumber: null,
  terms: seedTerms,
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
  usage: emptyUsage,
}
const license = licenseOf(order, { productId: '1' })
const as = (scope: ApiKeyScope) => ({ scope })

describe('a license, for access', () => {
  it('given an order whose template names product 1, then its product is 1', () => {
    expect(license).toEqual({ order, orderId: 'order-1', productId: '1' })
  })

  it('given an order whose template is unknown, then it belongs to no product', () => {
    expect(licenseOf(order, null).productId).toBeNull()
  })
})

describe('authorize', () => {
  it('given an admin credential, when it asks for a license or an admin resource, then it has it', () => {
    expect(authorize(as({ kind: 'admin' }), license)).toEqual(E.right(license))
    expect(authorize(as({ kind: 'admin' }), ADMIN_ONLY)).toEqual(E.right(ADMIN_ONLY))
  })

  it("given a key scoped to product 1, when it asks for product 1's license, then it has it; another product's, Forbidden", () => {
    expect(authorize(as({ kind: 'product', productId: '1' }), license)).toEqual(E.right(license))
    expect(authorize(as({ kind: 'product', productId: '2' }), license)).toEqual(E.left({ _tag: 'Forbidden', target: { productId: '1', orderId: 'order-1' } }))
  })

  it('given a key scoped to one license, when it asks for that license, then it has it; another, Forbidden', () => {
    expect(authorize(as({ kind: 'license', orderId: 'order-1' }), license)).toEqual(E.right(license))
    expect(authorize(as({ kind: 'license', orderId: 'order-2' }), license)).toEqual(E.left({ _tag: 'Forbidden', target: { productId: '1', orderId: 'order-1' } }))
  })

  it('given a scoped key, when it asks for an admin resource, then Forbidden', () => {
    expect(authorize(as({ kind: 'product', productId: '1' }), ADMIN_ONLY)).toEqual(E.left({ _tag: 'Forbidden', target: ADMIN_ONLY }))
    expect(authorize(as({ kind: 'license', orderId: 'order-1' }), ADMIN_ONLY)).toEqual(E.left({ _tag: 'Forbidden', target: ADMIN_ONLY }))
  })
})
