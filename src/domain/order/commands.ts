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

export const UpdateOrder = t.type({
  type: t.literal('UpdateOrder'),
  orderId: t.string,
  terms: OrderTermsInput,
})

export const ChangeActivationKey = t.type({
  type: t.literal('ChangeActivationKey'),
  orderId: t.string,
  activationKey: ActivationKeyInput,
})

export const ChangeSerialNumber = t.type({
  type: t.literal('ChangeSerialNumber'),
  orderId: t.string,
  serialNumber: SerialNumber,
})

export const OrderCommand = t.union([CreateOrder, UpdateOrder, ChangeActivationKey, ChangeSerialNumber])
export type OrderCommand = t.TypeOf<typeof OrderCommand>
