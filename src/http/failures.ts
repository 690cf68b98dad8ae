// What each application failure means for a client, before any dialect
// renders it: a status and a problem naming the field where there is one.
import type { AuthFailure } from '../application/credentials.js'
import type { OrderFailure } from '../application/orders.js'
import type { Problem } from './reply.js'

export interface Classified {
  readonly status: number
  readonly problem: Problem
}

export const orderFailure = (failure: OrderFailure): Classified => {
  switch (failure._tag) {
    case 'OrderNotFound':
      return { status: 404, problem: { detail: 'the license order does not exist' } }
    case 'OrderAlreadyExists':
      return { status: 409, problem: { detail: 'the license order already exists' } }
    case 'UnknownCustomer':
      return { status: 400, problem: { fields: [{ field: 'customer_id', message: `customer ${failure.customerId} does not exist` }] } }
    case 'UnknownProductTemplate':
      return {
        status: 400,
        problem: { fields: [{ field: 'product_template_id', message: `product template ${failure.productTemplateId} does not exist` }] },
      }
    case 'ActivationKeyTaken':
      return { status: 409, problem: { detail: `activation key ${failure.key} is already in use by another license order` } }
    case 'ConcurrencyConflict':
      return { status: 409, problem: { detail: 'the license changed while this request was being decided; retry it' } }
  }
}

export const authFailureDetail = (failure: AuthFailure): string => {
  switch (failure._tag) {
    case 'MissingCredentials':
      return 'no credentials were provided'
    case 'InvalidCredentials':
      return 'the credentials are not valid'
    case 'ExpiredCredentials':
      return 'the credentials have expired'
    case 'RevokedCredentials':
      return 'the credentials have been revoked'
  }
}
