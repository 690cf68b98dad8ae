import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { describe, expect, it } from 'vitest'
import { CustomerProfileInput, customerDecider, type CustomerEvent, type CustomerProfile } from '../../src/domain/customer/index.js'
import { CreateProductTemplate, productTemplateDecider } from '../../src/domain/product-template/index.js'
import { sequenceDecider } from '../../src/domain/sequence/index.js'
import { fieldErrors } from '../../src/domain/validation.js'
import { LATER, NOW } from './fixtures.js'
import { specify } from './given.js'

const profile: CustomerProfile = {
  name: 'Rivers Inc',
  description: 'desc',
  phone_number: '779.790.4969x1425',
  fax_number: null,
  street: null,
  city: 'Shortport',
  country: 'USA',
  zip_code: null,
  state: null,
  Contacts: [{ name: 'James Taylor', email: 'nfisher@test.x-formation.com' }],
  CustomTags: [{ tag_name: 'custom_tag_1', value: 'Gouldton' }],
}
const created: CustomerEvent = { type: 'CustomerCreated', data: { customerId: 1, profile, at: NOW.toISOString() } }

describe('customer decider', () => {
  const given = specify(customerDecider)
  it('given no customer, when created, then CustomerCreated', () => {
    given().when({ type: 'CreateCustomer', customerId: 1, profile }, { now: NOW }).then(E.right([created]))
  })
  it('given a customer, when created again, then CustomerAlreadyExists', () => {
    given(created).when({ type: 'CreateCustomer', customerId: 1, profile }, { now: NOW }).then(E.left({ _tag: 'CustomerAlreadyExists', customerId: 1 }))
  })
  it('given a customer, when its profile changes, then CustomerUpdated', () => {
    const changed = { ...profile, city: 'Elsewhere' }
    given(created)
      .when({ type: 'UpdateCustomer', customerId: 1, profile: changed }, { now: LATER })
      .then(E.right([{ type: 'CustomerUpdated', data: { customerId: 1, profile: changed, at: LATER.toISOString() } }]))
  })
  it('given a customer, when updated with the same profile, then nothing happens', () => {
    given(created).when({ type: 'UpdateCustomer', customerId: 1, profile }, { now: LATER }).then(E.right([]))
  })
  it('given no customer, when updated, then CustomerNotFound', () => {
    given().when({ type: 'UpdateCustomer', customerId: 1, profile }, { now: LATER }).then(E.left({ _tag: 'CustomerNotFound', customerId: 1 }))
  })
})

describe('customer profile input', () => {
  const decoded = (body: unknown) => pipe(CustomerProfileInput.decode(body), E.mapLeft(fieldErrors))
  it('given only a name, when decoded, then every other field is empty', () => {
    expect(decoded({ name: 'Acme' })).toEqual(
      E.right({ ...profile, name: 'Acme', description: null, phone_number: null, city: null, country: null, Contacts: [], CustomTags: [] }),
    )
  })
  it('given no name, then name is required', () => {
    expect(decoded({})).toEqual(E.left([{ field: 'name', message: 'is required' }]))
  })
  it('given a contact with a bad e-mail, then the contact e-mail is named', () => {
    expect(decoded({ name: 'A', Contacts: [{ name: 'B', email: 'nope' }] })).toEqual(
      E.left([{ field: 'Contacts[0].email', message: 'must be an e-mail address' }]),
    )
  })
  it('given a custom tag listed twice, then the second is named', () => {
    expect(decoded({ name: 'A', CustomTags: [{ tag_name: 't', value: '1' }, { tag_name: 't', value: '2' }] })).toEqual(
      E.left([{ field: 'CustomTags[1].tag_name', message: 'is listed more than once' }]),
    )
  })
})

describe('product template decider', () => {
  const given = specify(productTemplateDecider)
  const command = { type: 'CreateProductTemplate', templateId: 1, name: 'Trial', productId: '1' } as const
  it('given no template, when created, then ProductTemplateCreated', () => {
    given()
      .when(command, { now: NOW })
      .then(E.right([{ type: 'ProductTemplateCreated', data: { templateId: 1, name: 'Trial', productId: '1', at: NOW.toISOString() } }]))
  })
  it('given a template, when created again, then ProductTemplateAlreadyExists', () => {
    given({ type: 'ProductTemplateCreated', data: { templateId: 1, name: 'Trial', productId: '1', at: NOW.toISOString() } })
      .when(command, { now: NOW })
      .then(E.left({ _tag: 'ProductTemplateAlreadyExists', templateId: 1 }))
  })
  it('accepts product_id as a number and keeps it as a string', () => {
    const decoded = CreateProductTemplate.decode({ type: 'CreateProductTemplate', templateId: 1, name: 'Trial', productId: 7 })
    expect(E.isRight(decoded) && decoded.right.productId).toBe('7')
  })
})

describe('sequence decider', () => {
  const given = specify(sequenceDecider)
  it('given no ids yet, when one is allocated, then it is 1', () => {
    given().when({ type: 'AllocateId', sequence: 'customer' }, { now: NOW }).then(E.right([{ type: 'IdAllocated', data: { id: 1, at: NOW.toISOString() } }]))
  })
  it('given ids up to 2, when one is allocated, then it is 3', () => {
    given({ type: 'IdAllocated', data: { id: 1, at: NOW.toISOString() } }, { type: 'IdAllocated', data: { id: 2, at: NOW.toISOString() } })
      .when({ type: 'AllocateId', sequence: 'customer' }, { now: LATER })
      .then(E.right([{ type: 'IdAllocated', data: { id: 3, at: LATER.toISOString() } }]))
  })
})
