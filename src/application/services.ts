// The application's services over one event store: what the HTTP layer and
// the command-line tools call.
import type { EventStore } from '../store/port.js'
import { createCommandHandler } from './command-handler.js'
import { createCredentials } from './credentials.js'
import { createCustomers, createProductTemplates } from './customers.js'
import { createOrders } from './orders.js'
import { createLicenseUpdates } from './license-updates.js'
import { createLockout, DEFAULT_LOCKOUT_POLICY } from './lockout.js'
import { createProducts } from './products.js'
import type { LockoutPolicy } from '../domain/lockout/index.js'

export interface ServicesOptions {
  readonly store: EventStore
  readonly clock: () => Date
  readonly adminToken: string | null
  /** Seed 004's IP lockout (default: DEFAULT_LOCKOUT_POLICY). */
  readonly lockoutPolicy?: LockoutPolicy
}

export const createServices = ({ store, clock, adminToken, lockoutPolicy }: ServicesOptions) => {
  const handler = createCommandHandler({ store, clock })
  const customers = createCustomers(handler)
  const productTemplates = createProductTemplates(handler)
  const orders = createOrders({ handler, customers, productTemplates, clock })
  const credentials = createCredentials({ handler, clock, adminToken })
  const products = createProducts(handler)
  const licenseUpdates = createLicenseUpdates({ handler, orders, productTemplates, products })
  const lockout = createLockout({ handler, clock, policy: lockoutPolicy ?? DEFAULT_LOCKOUT_POLICY })
  return { handler, customers, productTemplates, orders, credentials, clock, products, licenseUpdates, lockout }
}
export type Services = ReturnType<typeof createServices>
