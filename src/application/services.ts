// The application's services over one event store: what the HTTP layer and
// the command-line tools call.
import type { KeyObject } from 'node:crypto'
import type { EventStore } from '../store/port.js'
import { createCommandHandler } from './command-handler.js'
import { createCredentials } from './credentials.js'
import { createCustomers, createProductTemplates } from './customers.js'
import { createLicenseUsage } from './license-usage.js'
import { createOrders } from './orders.js'
import { createTokenSigner, generateSigningKey } from './signing.js'

export interface ServicesOptions {
  readonly store: EventStore
  readonly clock: () => Date
  readonly adminToken: string | null
  /** Signs license tokens (Ed25519); a fresh one when not given. */
  readonly signingKey?: KeyObject
}

export const createServices = ({ store, clock, adminToken, signingKey }: ServicesOptions) => {
  const handler = createCommandHandler({ store, clock })
  const customers = createCustomers(handler)
  const productTemplates = createProductTemplates(handler)
  const orders = createOrders({ handler, customers, productTemplates, clock })
  const credentials = createCredentials({ handler, clock, adminToken })
  const usage = createLicenseUsage({ handler, clock, signer: createTokenSigner(signingKey ?? generateSigningKey()) })
  return { handler, customers, productTemplates, orders, credentials, usage, clock }
}
export type Services = ReturnType<typeof createServices>
