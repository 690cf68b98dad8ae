import * as t from 'io-ts'
import { PositiveInt } from '../codecs.js'
import { CustomerProfileInput } from './profile.js'

export const CreateCustomer = t.type({
  type: t.literal('CreateCustomer'),
  customerId: PositiveInt,
  profile: CustomerProfileInput,
})
export type CreateCustomer = t.TypeOf<typeof CreateCustomer>

export const UpdateCustomer = t.type({
  type: t.literal('UpdateCustomer'),
  customerId: PositiveInt,
  profile: CustomerProfileInput,
})
export type UpdateCustomer = t.TypeOf<typeof UpdateCustomer>

export const CustomerCommand = t.union([CreateCustomer, UpdateCustomer])
export type CustomerCommand = t.TypeOf<typeof CustomerCommand>
