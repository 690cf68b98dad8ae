import * as t from 'io-ts'
import { ActivationKeyInput } from '../activation-key/key.js'
import { SerialNumber } from './events.js'
import { OrderTermsInput } from './terms.js'

export const CreateOrder = t.type({
  type: t.literal('CreateOrder'),
  orderId: t.string,
  activationKey: ActivationKeyInput,
  terms: OrderTermsInput,
})
export type CreateOrder = t.TypeOf<typeof CreateOrder>

export const UpdateOrder = t.type({
  type: t.literal('UpdateOrder'),
  orderId: t.string,
  terms: OrderTermsInput,
})
export type UpdateOrder = t.TypeOf<typeof UpdateOrder>

export const ChangeActivationKey = t.type({
  type: t.literal('ChangeActivationKey'),
  orderId: t.string,
  activationKey: ActivationKeyInput,
})
export type ChangeActivationKey = t.TypeOf<typeof ChangeActivationKey>

export const ChangeSerialNumber = t.type({
  type: t.literal('ChangeSerialNumber'),
  orderId: t.string,
  serialNumber: SerialNumber,
})
export type ChangeSerialNumber = t.TypeOf<typeof ChangeSerialNumber>

export const OrderCommand = t.union([CreateOrder, UpdateOrder, ChangeActivationKey, ChangeSerialNumber])
export type OrderCommand = t.TypeOf<typeof OrderCommand>
